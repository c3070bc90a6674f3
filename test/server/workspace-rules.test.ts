/**
 * Workspaces as gptme HEAD (`tests/test_server_config_workspace_containment.py`): PUT accepts
 * `@log`, `.` and any existing directory; a config PATCH may not move an existing conversation's
 * workspace outside its log dir, except into a root given with `--allow-workspace`.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseServerOptions } from "../../runtime/config/server-options.js";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let server: TestServer;
let outside: string;

beforeEach(() => {
  outside = realpathSync(mkdtempSync(join(tmpdir(), "gptme-outside-")));
});
afterEach(async () => {
  await server?.close();
  rmSync(outside, { recursive: true, force: true });
});

const put = (id: string, workspace?: string) =>
  server.call(`/api/v2/conversations/${id}`, { method: "PUT", json: workspace === undefined ? {} : { config: { chat: { workspace } } } });
const patch = (id: string, chat: Record<string, unknown>) => server.call(`/api/v2/conversations/${id}/config`, { method: "PATCH", json: { chat } });
const workspaceOf = async (id: string) => (await (await server.call(`/api/v2/conversations/${id}/config`)).json()).chat.workspace as string;

describe("PUT", () => {
  beforeEach(() => {
    server = createTestServer();
  });

  it("accepts no workspace, @log, '.' and an existing absolute directory", async () => {
    for (const [id, workspace] of [["none", undefined], ["log", "@log"], ["dot", "."], ["absolute", outside]] as const) {
      expect((await put(id, workspace)).status, id).toBe(200);
    }
    expect(await workspaceOf("log")).toBe(join(server.runtime.conversations.directory("log"), "workspace"));
    expect(await workspaceOf("dot")).toBe(server.workspace);
    expect(await workspaceOf("absolute")).toBe(outside);
  });

  it("answers 400 to a workspace that is not a directory", async () => {
    const response = await put("missing-dir", join(outside, "nope"));
    expect(response.status).toBe(400);
    expect((await server.call("/api/v2/conversations/missing-dir")).status).toBe(404);
  });
});

describe("PATCH config", () => {
  beforeEach(() => {
    server = createTestServer();
  });

  it("refuses to move the workspace outside the log dir, and changes nothing", async () => {
    await put("contained");
    const before = await (await server.call("/api/v2/conversations/contained/config")).json();
    for (const workspace of ["/etc", "/tmp/evil-does-not-exist", ".", outside, server.runtime.settings.dataDirectory]) {
      const response = await patch("contained", { workspace, name: "changed" });
      expect(response.status, workspace).toBe(400);
      expect((await response.json()).error, workspace).toMatch(/^workspace escapes conversation logdir/);
    }
    expect(await (await server.call("/api/v2/conversations/contained/config")).json()).toEqual(before);
  });

  it("refuses a symlink inside the log dir that points outside it", async () => {
    await put("linked");
    const link = join(server.runtime.conversations.directory("linked"), "escape");
    symlinkSync("/etc", link);
    expect((await patch("linked", { workspace: link })).status).toBe(400);
  });

  it("accepts @log, a directory inside the log dir, and the unchanged workspace echoed back", async () => {
    await put("inside", outside);
    const echoed = await patch("inside", { workspace: outside, model: "openai/gpt-4o" });
    expect(echoed.status).toBe(200);
    expect((await echoed.json()).config.chat).toMatchObject({ workspace: outside, model: "openai/gpt-4o" });
    expect((await patch("inside", { workspace: "@log" })).status).toBe(200);
    expect(await workspaceOf("inside")).toBe(join(server.runtime.conversations.directory("inside"), "workspace"));
    const nested = join(server.runtime.conversations.directory("inside"), "nested");
    mkdirSync(nested);
    expect((await patch("inside", { workspace: nested })).status).toBe(200);
    expect((await patch("inside", { workspace: outside })).status).toBe(400);
  });
});

describe("--allow-workspace", () => {
  it("lets PATCH move a workspace into an allowed root, and nowhere else", async () => {
    const root = join(outside, "projects");
    mkdirSync(join(root, "app"), { recursive: true });
    mkdirSync(join(outside, "elsewhere"));
    symlinkSync("/etc", join(root, "sneaky"));
    server = createTestServer({ allowedWorkspaceRoots: [root] });
    await put("allowed");
    expect((await patch("allowed", { workspace: join(root, "app") })).status).toBe(200);
    expect(await workspaceOf("allowed")).toBe(join(root, "app"));
    expect((await patch("allowed", { workspace: root })).status).toBe(200);
    expect((await patch("allowed", { workspace: join(outside, "elsewhere") })).status).toBe(400);
    expect((await patch("allowed", { workspace: join(root, "sneaky") })).status).toBe(400);
    expect((await patch("allowed", { workspace: join(root, "app", "..", "..", "elsewhere") })).status).toBe(400);
  });

  it("is read from the repeatable flag, comma lists and GPTME_SERVER_ALLOW_WORKSPACE", () => {
    const options = parseServerOptions(["--allow-workspace", "/a,/b", "--allow-workspace", "/c"], { GPTME_SERVER_ALLOW_WORKSPACE: "/ignored" });
    expect(options.allowedWorkspaceRoots).toEqual(["/a", "/b", "/c"]);
    expect(parseServerOptions([], { GPTME_SERVER_ALLOW_WORKSPACE: "/x, /y" }).allowedWorkspaceRoots).toEqual(["/x", "/y"]);
    expect(parseServerOptions([], {}).allowedWorkspaceRoots).toEqual([]);
  });
});
