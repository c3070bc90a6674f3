/**
 * `POST .../workspace/upload` as gptme HEAD (`tests/test_server_workspace.py`): files land in
 * `<logdir>/attachments/` under their own names (suffixed when taken), hidden names are skipped,
 * 50 MB per file, all or nothing.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
let attachments: string;
beforeEach(async () => {
  server = createTestServer();
  await server.call("/api/v2/conversations/up", { method: "PUT", json: {} });
  attachments = join(server.runtime.conversations.directory("up"), "attachments");
});
afterEach(async () => {
  await server.close();
});

function form(...files: Array<[string, string | Uint8Array<ArrayBuffer>, string?]>): FormData {
  const data = new FormData();
  files.forEach(([name, content, field], index) => data.append(field ?? `file${index}`, new Blob([content]), name));
  return data;
}
const upload = (body: FormData | string, id = "up", headers: Record<string, string> = {}) =>
  server.call(`/api/v2/conversations/${id}/workspace/upload`, { method: "POST", body, headers });
const names = () => (existsSync(attachments) ? readdirSync(attachments).sort() : []);

describe("upload", () => {
  it("saves every file part to the attachments, answering gptme's FileType entries", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const response = await upload(form(["notes.txt", "hello"], ["photo.png", png, "file"], ["été.md", "# accents"]));
    expect(response.status).toBe(200);
    const { files } = await response.json();
    expect(files).toHaveLength(3);
    expect(files[0]).toEqual({
      name: "notes.txt",
      path: "attachments/notes.txt",
      type: "file",
      size: 5,
      modified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      mime_type: "text/plain",
    });
    expect(files[1]).toMatchObject({ name: "photo.png", path: "attachments/photo.png", size: 7, mime_type: "image/png" });
    expect(files[2]).toMatchObject({ name: "été.md", path: "attachments/été.md" });
    expect(readFileSync(join(attachments, "notes.txt"), "utf8")).toBe("hello");
    expect(new Uint8Array(readFileSync(join(attachments, "photo.png")))).toEqual(png);
    expect(names()).toEqual(["notes.txt", "photo.png", "été.md"].sort());
  });

  it("suffixes taken names before their suffixes, within one upload and across uploads", async () => {
    await upload(form(["report.v2.pdf", "one"], ["a.txt", "1"], ["a.txt", "2"]));
    const second = await (await upload(form(["report.v2.pdf", "two"], ["a.txt", "3"]))).json();
    expect(second.files.map((file: { name: string }) => file.name)).toEqual(["report-1.v2.pdf", "a-2.txt"]);
    expect(names()).toEqual(["a-1.txt", "a-2.txt", "a.txt", "report-1.v2.pdf", "report.v2.pdf"]);
    expect(readFileSync(join(attachments, "a-1.txt"), "utf8")).toBe("2");
  });

  it("keeps only the base name of a path in a file name, and skips hidden and blank names", async () => {
    const response = await upload(form(["../../evil.txt", "x"], ["..\\..\\evil2.txt", "y"], [".env", "SECRET=1"], ["  ", "z"]));
    expect((await response.json()).files.map((file: { name: string }) => file.name)).toEqual(["evil.txt", "evil2.txt"]);
    expect(names()).toEqual(["evil.txt", "evil2.txt"]);
    expect(existsSync(join(server.runtime.conversations.directory("up"), "evil.txt"))).toBe(false);
    const onlyHidden = await upload(form([".bashrc", "x"]));
    expect([onlyHidden.status, (await onlyHidden.json()).error]).toEqual([400, "No valid files uploaded"]);
  });

  it("refuses a file over 50 MB with 413, saving none of the upload's files", async () => {
    const big = new Uint8Array(50 * 1024 * 1024 + 1);
    const response = await upload(form(["small.txt", "fine"], ["big.bin", big], ["after.txt", "fine too"]));
    expect(response.status).toBe(413);
    expect((await response.json()).error).toBe("File 'big.bin' exceeds 50MB limit");
    expect(names()).toEqual([]);
  });

  it("answers 400 when there is no file, and 404 for a missing conversation", async () => {
    const fieldsOnly = new FormData();
    fieldsOnly.append("note", "just text");
    for (const body of [fieldsOnly, new FormData()]) {
      const response = await upload(body);
      expect([response.status, (await response.json()).error]).toEqual([400, "No files provided"]);
    }
    const json = await server.call("/api/v2/conversations/up/workspace/upload", { method: "POST", json: {} });
    expect([json.status, (await json.json()).error]).toEqual([400, "No files provided"]);
    const noBoundary = await upload("--x\r\n", "up", { "content-type": "multipart/form-data" });
    expect(noBoundary.status).toBe(400);
    const truncated = await upload('--b\r\nContent-Disposition: form-data; name="f"; filename="cut.txt"\r\n\r\npartial', "up", {
      "content-type": "multipart/form-data; boundary=b",
    });
    expect(truncated.status).toBe(400);
    expect(names()).toEqual([]);
    const missing = await upload(form(["a.txt", "x"]), "missing");
    expect([missing.status, (await missing.json()).error]).toEqual([404, "Conversation not found: missing"]);
  });

  it("gives paths a message can attach and the files route can serve", async () => {
    const { files } = await (await upload(form(["seen.txt", "contents"]))).json();
    const posted = await server.call("/api/v2/conversations/up", { method: "POST", json: { role: "user", content: "look", files: [files[0].path] } });
    expect(posted.status).toBe(200);
    const log = (await (await server.call("/api/v2/conversations/up")).json()).log;
    expect(log.at(-1).files).toEqual(["attachments/seen.txt"]);
    const served = await server.call("/api/v2/conversations/up/files/attachments/seen.txt");
    expect(served.status).toBe(200);
    expect(await served.text()).toBe("contents");
  });

  it("lists and previews the uploads with ?root=attachments, as gptme HEAD's explorer asks", async () => {
    const empty = await server.call("/api/v2/conversations/up/workspace?root=attachments");
    expect([empty.status, await empty.json()]).toEqual([200, []]);
    await upload(form(["seen.txt", "contents"]));
    const listed = await (await server.call("/api/v2/conversations/up/workspace?root=attachments")).json();
    expect(listed).toEqual([expect.objectContaining({ name: "seen.txt", path: "seen.txt", type: "file", size: 8 })]);
    const preview = await (await server.call("/api/v2/conversations/up/workspace/seen.txt/preview?root=attachments")).json();
    expect(preview).toEqual({ type: "text", content: "contents" });
    expect((await server.call("/api/v2/conversations/up/workspace/seen.txt?root=workspace")).status).toBe(404);
    const bad = await server.call("/api/v2/conversations/up/workspace?root=elsewhere");
    expect([bad.status, (await bad.json()).error]).toEqual([400, "root must be 'workspace' or 'attachments'"]);
    const escape = await server.call("/api/v2/conversations/up/workspace/..%2F..%2Fworkspace?root=attachments");
    expect([400, 403, 404]).toContain(escape.status);
  });
});
