import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-runtime.js";

let repositories: string;
let server: TestServer;

/** A local git repository at `<root>/<owner>/<name>.git`, one commit on main. */
function makeRepository(root: string, owner: string, name: string, file = "README.md"): string {
  const path = join(root, owner, `${name}.git`);
  mkdirSync(path, { recursive: true });
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.com", ...args], { cwd: path, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  writeFileSync(join(path, file), `# ${name}\n`);
  git("add", ".");
  git("commit", "-q", "-m", "initial");
  return path;
}

beforeAll(() => {
  repositories = mkdtempSync(join(tmpdir(), "gptme-repos-"));
  makeRepository(join(repositories, "base"), "octo", "demo");
  // A repository *beside* the clone root: `../secret` must never reach it.
  makeRepository(repositories, ".", "secret", "SECRET.md");
});
afterAll(() => {
  rmSync(repositories, { recursive: true, force: true });
});
beforeEach(() => {
  server = createTestServer({ taskRepositoryBaseUrl: `${pathToFileURL(join(repositories, "base")).href}/` });
});
afterEach(async () => {
  await server.close();
});

async function createTask(body: unknown) {
  const response = await server.call("/api/v2/tasks", { method: "POST", json: body });
  return { status: response.status, body: await response.json() };
}

describe("tasks", () => {
  it("creates a task with its first conversation, and lists it in HEAD's shape", async () => {
    const { status, body } = await createTask({ content: "Write a haiku about SQLite", metadata: { priority: "low" } });
    expect(status).toBe(201);
    expect(body.id).toMatch(/^task-\d{8}-\d{6}-[0-9a-f]{6}$/);
    expect(body).toMatchObject({
      content: "Write a haiku about SQLite",
      status: "pending",
      target_type: "stdout",
      target_repo: null,
      conversation_ids: [`${body.id}-0`],
      metadata: { priority: "low" },
      archived: false,
      conversation: { id: `${body.id}-0`, name: "Write a haiku about SQLite" },
    });
    expect(body.workspace).toBe(join(server.directory, "data", "tasks", body.id, "workspace"));
    expect(body.git.error).toMatch(/Not a git repository/);

    const conversation = await (await server.call(`/api/v2/conversations/${body.id}-0`)).json();
    expect(conversation.log.at(-1)).toMatchObject({ role: "user", content: "Task: Write a haiku about SQLite" });
    expect(conversation.workspace).toBe(body.workspace);

    const list = await (await server.call("/api/v2/tasks")).json();
    expect(Object.keys(list)).toEqual(["tasks"]);
    expect(list.tasks).toEqual([
      {
        id: body.id,
        content: body.content,
        created_at: body.created_at,
        status: "pending",
        target_type: "stdout",
        target_repo: null,
        conversation_ids: [`${body.id}-0`],
        metadata: { priority: "low" },
        archived: false,
      },
    ]);
  });

  it("clones target_repo into the task's workspace and reports its git state", async () => {
    const { status, body } = await createTask({ content: "Fix the README", target_type: "pr", target_repo: "octo/demo" });
    expect(status).toBe(201);
    expect(body.warning).toBeUndefined();
    expect(body.workspace).toBe(join(server.directory, "data", "tasks", body.id, "workspace", "demo"));
    expect(readFileSync(join(body.workspace, "README.md"), "utf8")).toBe("# demo\n");
    expect(body.git).toMatchObject({ branch: "main", clean: true, files: [], pr_url: null });
    expect(body.git.remote_url).toContain("octo/demo.git");
    const conversation = await (await server.call(`/api/v2/conversations/${body.id}-0`)).json();
    expect(conversation.log.at(-1).content).toBe("Task: Fix the README\n\nTarget: Create a PR in octo/demo");

    writeFileSync(join(body.workspace, "new.txt"), "change\n");
    const again = await (await server.call(`/api/v2/tasks/${body.id}`)).json();
    expect(again.git).toMatchObject({ clean: false, files: ["?? new.txt"] });
  });

  it("never clones from outside the repository root (`..` segments) and says why", async () => {
    for (const target of ["../secret", "./secret", "octo/.."]) {
      const { status, body } = await createTask({ content: "escape", target_repo: target });
      expect(status, target).toBe(201);
      expect(body.warning, target).toMatch(/Invalid target_repo/);
      expect(existsSync(join(server.directory, "data", "tasks", body.id, "workspace", "secret", "SECRET.md")), target).toBe(false);
      expect(body.workspace).toBe(join(server.directory, "data", "tasks", body.id, "workspace"));
    }
  });

  it("starts in an empty workspace when the clone fails, and tells the task's conversation", async () => {
    const { status, body } = await createTask({ content: "Work on it", target_repo: "octo/missing" });
    expect(status).toBe(201);
    expect(body.warning).toMatch(/^Could not clone octo\/missing/);
    const conversation = await (await server.call(`/api/v2/conversations/${body.id}-0`)).json();
    expect(conversation.log.some((message: { role: string; content: string }) => message.role === "system" && message.content.startsWith("Could not clone"))).toBe(true);
  });

  it("validates creation as gptme does", async () => {
    const cases: Array<[unknown, string]> = [
      [{}, "Missing required field: content"],
      [{ content: 5 }, "content must be a string"],
      [{ content: "x", target_type: "fax" }, "target_type must be one of: stdout, pr, email, tweet"],
      [{ content: "x", target_repo: 5 }, "target_repo must be a string"],
      [{ content: "x", metadata: [1] }, "metadata must be an object"],
    ];
    for (const [body, error] of cases) {
      expect(await createTask(body), JSON.stringify(body)).toEqual({ status: 400, body: { error } });
    }
    const array = await server.call("/api/v2/tasks", { method: "POST", body: "[1]", headers: { "content-type": "application/json" } });
    expect(array.status).toBe(400);
    expect((await array.json()).error).toMatch(/object/);
    expect((await (await server.call("/api/v2/tasks")).json()).tasks).toEqual([]);
  });

  it("updates content, target and metadata (merged), refusing status and unknown fields", async () => {
    const { body: task } = await createTask({ content: "old", metadata: { a: 1 } });
    const put = (body: unknown) => server.call(`/api/v2/tasks/${task.id}`, { method: "PUT", json: body });
    const updated = await put({ content: "new", target_type: "email", metadata: { b: 2 } });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ content: "new", target_type: "email", metadata: { a: 1, b: 2 } });
    expect((await (await put({ target_repo: null })).json()).target_repo).toBeNull();

    const status = await put({ status: "completed" });
    expect(status.status).toBe(400);
    expect((await status.json()).error).toMatch(/^status cannot be set directly/);
    expect(await (await put({ colour: "red", archived: true })).json()).toEqual({ error: "unknown field(s): archived, colour" });
    expect(await (await put({ content: 3 })).json()).toEqual({ error: "content must be a string" });
    expect(await (await put({ target_repo: 3 })).json()).toEqual({ error: "target_repo must be a string or null" });
    const missing = await server.call("/api/v2/tasks/task-missing", { method: "PUT", json: { content: "x" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "Task not found: task-missing" });
  });

  it("archives and unarchives, hiding archived tasks unless asked", async () => {
    const { body: task } = await createTask({ content: "archive me" });
    const archive = await server.call(`/api/v2/tasks/${task.id}/archive`, { method: "POST" });
    expect(await archive.json()).toEqual({ status: "ok", message: `Task ${task.id} archived` });
    expect((await (await server.call("/api/v2/tasks")).json()).tasks).toEqual([]);
    expect((await (await server.call("/api/v2/tasks?include_archived=true")).json()).tasks).toHaveLength(1);
    const twice = await server.call(`/api/v2/tasks/${task.id}/archive`, { method: "POST" });
    expect(twice.status).toBe(400);
    expect(await twice.json()).toEqual({ error: "Task is already archived" });
    expect((await server.call(`/api/v2/tasks/${task.id}/unarchive`, { method: "POST" })).status).toBe(200);
    expect((await (await server.call("/api/v2/tasks")).json()).tasks).toHaveLength(1);
    expect((await server.call(`/api/v2/tasks/${task.id}/unarchive`, { method: "POST" })).status).toBe(400);
    expect((await server.call("/api/v2/tasks/task-nope/archive", { method: "POST" })).status).toBe(404);
  });

  it("filters by status and rejects an unknown one", async () => {
    await createTask({ content: "one" });
    expect((await (await server.call("/api/v2/tasks?status=pending")).json()).tasks).toHaveLength(1);
    expect((await (await server.call("/api/v2/tasks?status=completed")).json()).tasks).toHaveLength(0);
    const bad = await server.call("/api/v2/tasks?status=done");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "status must be one of: pending, active, completed, failed" });
  });

  it("answers 404 for ids that are not task ids (traversal)", async () => {
    for (const id of ["..%2F..%2Fetc", "a.b", "task%00x"]) {
      const response = await server.call(`/api/v2/tasks/${id}`);
      expect(response.status, id).toBe(404);
    }
  });

  it("answers v0.31's bare array with GPTME_TASKS_LIST=array (for the archived web client)", async () => {
    const legacy = createTestServer({ env: { HOME: server.directory, PATH: process.env.PATH, GPTME_TASKS_LIST: "array" } });
    try {
      await legacy.call("/api/v2/tasks", { method: "POST", json: { content: "old client" } });
      const list = await (await legacy.call("/api/v2/tasks")).json();
      expect(Array.isArray(list)).toBe(true);
      expect(list.map((task: { content: string }) => task.content)).toEqual(["old client"]);
    } finally {
      await legacy.close();
    }
  });

  it("keeps tasks in the database across restarts", async () => {
    const { body: task } = await createTask({ content: "remember me" });
    const database = join(server.directory, "gptme.db");
    await server.runtime.store.close();
    const reopened = createTestServer({ databasePath: database });
    try {
      const list = await (await reopened.call("/api/v2/tasks")).json();
      expect(list.tasks.map((entry: { id: string }) => entry.id)).toEqual([task.id]);
    } finally {
      await reopened.close();
    }
  });
});
