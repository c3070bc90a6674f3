/**
 * A message's `files` as gptme HEAD checks them: `file://` URIs, absolute paths and paths that
 * leave the workspace are refused (400) on every route that stores messages; URIs are kept as
 * given; local files are shown relative to the workspace, uploads as `attachments/<name>`.
 */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
let workspace: string;
beforeEach(async () => {
  server = createTestServer();
  await server.call("/api/v2/conversations/files", { method: "PUT", json: {} });
  workspace = (await server.runtime.store.get("files"))!.workspace;
});
afterEach(async () => {
  await server.close();
});

const post = (files: unknown, path = "/api/v2/conversations/files") =>
  server.call(path, { method: "POST", json: { role: "user", content: "look", files } });
const lastMessage = async () => (await (await server.call("/api/v2/conversations/files")).json()).log.at(-1);
const attacks: Array<[string, RegExp]> = [
  ["file:///etc/passwd", /^file:\/\/ URIs are not supported for message attachments$/],
  ["FILE:///etc/passwd", /^file:\/\/ URIs are not supported/],
  ["/etc/passwd", /^Absolute file paths are not supported: \/etc\/passwd$/],
  ["../../../etc/passwd", /^File path escapes workspace: \.\.\/\.\.\/\.\.\/etc\/passwd$/],
  ["../../../root/.ssh/id_rsa", /escapes workspace/],
  ["attachments/../../../../etc/passwd", /escapes workspace/],
];

describe("message files", () => {
  it("refuses file://, absolute and escaping paths with 400, storing nothing", async () => {
    const before = await lastMessage();
    for (const [file, error] of attacks) {
      const response = await post(["notes.txt", file]);
      expect(response.status, file).toBe(400);
      expect((await response.json()).error, file).toMatch(error);
    }
    expect(await lastMessage()).toEqual(before);
  });

  it("refuses a link in the workspace that points outside it", async () => {
    symlinkSync("/etc/passwd", join(workspace, "passwd.txt"));
    symlinkSync("/etc", join(workspace, "etc"));
    for (const file of ["passwd.txt", "etc/hostname"]) {
      const response = await post([file]);
      expect(response.status, file).toBe(400);
      expect((await response.json()).error).toMatch(/escapes workspace/);
    }
  });

  it("keeps URIs and workspace paths (even missing ones, as gptme), shown relative to the workspace", async () => {
    writeFileSync(join(workspace, "notes.txt"), "hello");
    mkdirSync(join(workspace, "docs"));
    const files = ["notes.txt", "docs/../docs/later.md", "https://example.com/image.png", "memo://note"];
    expect((await post(files)).status).toBe(200);
    expect((await lastMessage()).files).toEqual(["notes.txt", "docs/later.md", "https://example.com/image.png", "memo://note"]);
    const stored = (await server.runtime.store.messages("files")).at(-1)!;
    expect(stored.files).toEqual([join(workspace, "notes.txt"), join(workspace, "docs", "later.md"), files[2], files[3]]);
  });

  it("resolves attachments/<name> to the conversation's uploads when the file is there", async () => {
    const attachments = join(server.runtime.conversations.directory("files"), "attachments");
    mkdirSync(attachments, { recursive: true });
    writeFileSync(join(attachments, "photo.png"), "png");
    expect((await post(["attachments/photo.png"])).status).toBe(200);
    expect((await lastMessage()).files).toEqual(["attachments/photo.png"]);
    expect((await server.runtime.store.messages("files")).at(-1)!.files).toEqual([join(attachments, "photo.png")]);
  });

  it("answers gptme's message to a files value that is not a list of strings", async () => {
    for (const files of ["attachments/image.png", ["attachments/image.png", 123], { path: "x" }]) {
      const response = await post(files);
      expect(await response.json(), JSON.stringify(files)).toEqual({ error: "files must be a list of strings" });
    }
  });

  it("checks the files of PUT's messages too, creating nothing on refusal", async () => {
    for (const [file] of attacks) {
      const response = await server.call("/api/v2/conversations/created", {
        method: "PUT",
        json: { messages: [{ role: "user", content: "x", files: [file] }] },
      });
      expect(response.status, file).toBe(400);
    }
    expect((await server.call("/api/v2/conversations/created")).status).toBe(404);
    const ok = await server.call("/api/v2/conversations/created", {
      method: "PUT",
      json: { messages: [{ role: "user", content: "x", files: ["a.txt", "https://example.com/x.png"] }] },
    });
    expect(ok.status).toBe(200);
    expect((await (await server.call("/api/v2/conversations/created")).json()).log.at(-1).files).toEqual(["a.txt", "https://example.com/x.png"]);
  });

  it("checks the V1 routes' files too", async () => {
    for (const [file] of attacks) {
      expect((await post([file], "/api/conversations/files")).status, file).toBe(400);
      const created = await server.call("/api/conversations/v1-created", {
        method: "PUT",
        json: { messages: [{ role: "user", content: "x", files: [file] }] },
      });
      expect(created.status, file).toBe(400);
    }
  });
});
