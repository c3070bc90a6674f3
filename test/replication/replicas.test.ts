/**
 * Three server replicas as real processes on one PostgreSQL database and one NATS server (both
 * private to the test run): a conversation made on A, watched from B while C runs its generation,
 * a tool confirmed through A; C killed with SIGKILL mid-reply and a survivor taking over; and the
 * fencing of a replica paused past its lease.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeModelServer, startFakeModelServer } from "../support/fake-model-server.js";
import { natsForTests, postgresForTests, requireNats, requirePostgres, skipServices } from "../support/postgres-for-tests.js";
import { createDatabase } from "../support/postgres-server.js";
import { exited, processAuth, type ServerProcess, startServerProcess } from "../support/server-process.js";
import { type SseFrame, SseReader } from "../support/sse-client.js";
import { eventTooLargeMessage } from "../../runtime/replication/event-log.js";

const postgres = await postgresForTests();
const nats = await natsForTests();
const skip = skipServices(postgres, nats);

const leaseTtlMs = 4000;
let directory: string;
let database: { url: string; drop(): Promise<void> };
let model: FakeModelServer;
let stream = 0;
const running: ServerProcess[] = [];
const readers: SseReader[] = [];

type Message = { role: string; content: string };

async function replica(name: string, streamName: string): Promise<ServerProcess> {
  // One home for all: the data directory (conversations' workspaces) is the volume every replica mounts.
  const server = await startServerProcess(directory, ["--sandbox", "none"], {
    GPTME_DATABASE_URL: database.url,
    GPTME_NATS_URL: requireNats(nats),
    GPTME_NATS_STREAM: streamName,
    GPTME_REPLICA_ID: name,
    GPTME_LEASE_TTL_MS: String(leaseTtlMs),
    OPENAI_BASE_URL: model.openaiBaseURL,
    MODEL: "local/fake",
  });
  running.push(server);
  return server;
}

async function replicas(...names: string[]): Promise<ServerProcess[]> {
  const streamName = `GPTME_REPLICAS_${process.pid}_${(stream += 1)}`;
  return Promise.all(names.map((name) => replica(name, streamName)));
}

const call = (server: ServerProcess, path: string, init: { method?: string; json?: unknown } = {}) =>
  fetch(`${server.url}/api/v2/conversations/${path}`, {
    method: init.method ?? "GET",
    headers: processAuth,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });

async function events(server: ServerProcess, conversation: string, sessionId: string, lastEventId?: number): Promise<SseReader> {
  const headers: Record<string, string> = { ...processAuth, ...(lastEventId === undefined ? {} : { "last-event-id": String(lastEventId) }) };
  const reader = new SseReader(await fetch(`${server.url}/api/v2/conversations/${conversation}/events?session_id=${sessionId}`, { headers }));
  readers.push(reader);
  return reader;
}

async function create(server: ServerProcess, conversation: string, content: string): Promise<string> {
  const response = await call(server, conversation, { method: "PUT", json: { messages: [{ role: "user", content }], config: { chat: { name: conversation } } } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { session_id: string }).session_id;
}

async function log(server: ServerProcess, conversation: string): Promise<Message[]> {
  return ((await (await call(server, conversation)).json()) as { log: Message[] }).log;
}

/** Polls (a readiness signal, not a timing) until `check` holds. */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

async function query<Row extends object>(text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function draftLength(conversation: string): Promise<number> {
  const rows = await query<{ length: number }>("SELECT length(content) AS length FROM drafts WHERE conversation_id = $1", [conversation]);
  return rows[0]?.length ?? 0;
}

const numbered = (frames: SseFrame[]) => frames.filter((frame) => frame.id !== undefined).map((frame) => Number(frame.id));

describe.skipIf(skip)("three replicas on one PostgreSQL and one NATS", () => {
  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), "gptme-replicas-"));
    database = await createDatabase(requirePostgres(postgres), "gptme_replicas");
    model = await startFakeModelServer();
  });
  afterEach(async () => {
    for (const reader of readers.splice(0)) await reader.close();
    for (const server of running.splice(0)) {
      server.child.kill("SIGCONT");
      server.child.kill("SIGKILL");
      await exited(server.child);
    }
    model.reset();
    // Settings a test saved (a default model) would reach the next test's replicas: they use MODEL.
    await query("DELETE FROM user_settings");
  });
  afterAll(async () => {
    await model?.close();
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it("stops at once, in one line, with exit status 1 when NATS cannot be reached or a replica setting is wrong", async () => {
    const refusals: Array<[Record<string, string>, RegExp]> = [
      [{ GPTME_NATS_URL: "nats://127.0.0.1:1" }, /^gptme-server: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1: /],
      [{ GPTME_NATS_URL: requireNats(nats), GPTME_LEASE_TTL_MS: "5" }, /^gptme-server: GPTME_LEASE_TTL_MS must be a whole number of milliseconds, at least 200 \(got "5"\)$/],
      [{ GPTME_NATS_URL: requireNats(nats), GPTME_REPLICA_ID: "a.b" }, /^gptme-server: GPTME_REPLICA_ID may hold only letters, digits, - and _/],
    ];
    for (const [env, message] of refusals) {
      const error = await startServerProcess(directory, [], { GPTME_DATABASE_URL: database.url, ...env }).then(
        () => new Error("the replica started"),
        (caught: unknown) => caught as Error,
      );
      const [first, output, ...rest] = error.message.split("\n");
      expect(first).toBe("server exited with 1:");
      expect(output).toMatch(message);
      expect(rest.join("")).toBe("");
    }
  }, 240_000);

  it("create on A, watch from B while C runs the generation, confirm the tool through A", async () => {
    const [a, b, c] = await replicas("a", "b", "c");
    // A workspace only this machine has would be lost when the next step runs elsewhere.
    const elsewhere = await call(b!, "local-only", { method: "PUT", json: { config: { chat: { workspace: tmpdir() } } } });
    expect(elsewhere.status).toBe(400);
    expect(((await elsewhere.json()) as { error: string }).error).toMatch(/^Workspace \S+ is not on a volume every server replica mounts: use @log, the default workspace, or a folder under /);
    const sessionId = await create(a!, "shared", "list the files");
    const watcher = await events(b!, "shared", sessionId);
    await watcher.nextType("connected");

    model.enqueue({ text: "Let me look.\n```shell\necho from-the-shell\n```\n" }, { text: "There it is." });
    expect((await call(c!, "shared/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    const pending = await watcher.nextType("tool_pending", 60_000);
    // A step anywhere else is refused while C runs it (forwarded to C, which answers 409).
    expect((await call(b!, "shared/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(409);

    const confirmed = await call(a!, "shared/tool/confirm", { method: "POST", json: { session_id: sessionId, tool_id: pending.data.tool_id, action: "confirm" } });
    expect(confirmed.status).toBe(200);
    expect(((await confirmed.json()) as { message: string }).message).toBe("Tool confirmed");
    await watcher.next((frame) => frame.data.type === "generation_complete" && String((frame.data.message as Message | undefined)?.content ?? "").includes("There it is."), 60_000);

    const ids = numbered(watcher.frames);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => ids[0]! + index));
    const stored = await log(a!, "shared");
    expect(stored.map((message) => message.role)).toEqual(["system", "user", "assistant", "system", "assistant"]);
    expect(stored[3]!.content).toContain("from-the-shell");
    expect(stored[4]!.content).toBe("There it is.");
    // The same log from every replica.
    expect(await log(b!, "shared")).toEqual(stored);
    expect(await log(c!, "shared")).toEqual(stored);
  }, 240_000);

  it("a message larger than a NATS message, posted to a replica that does not run the conversation, reaches the one that does", async () => {
    const [a, c] = await replicas("a", "c");
    const sessionId = await create(a!, "large", "run something");
    const watcher = await events(a!, "large", sessionId);
    await watcher.nextType("connected");
    model.enqueue({ text: "Running it.\n```shell\necho never-confirmed\n```\n" });
    expect((await call(c!, "large/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await watcher.nextType("tool_pending", 60_000);

    // 3 MiB of text: over NATS's 1 MiB message limit (and the 700 KiB forwarding limit there was), under the 10 MiB body limit.
    const content = "A long pasted log line.\n".repeat(128 * 1024);
    const posted = await call(a!, "large", { method: "POST", json: { role: "user", content, session_id: sessionId } });
    expect(posted.status).toBe(200);
    // C, which runs the generation, answered: it skipped its waiting tool to make way for the message.
    const stored = await log(a!, "large");
    expect(stored.at(-1)).toMatchObject({ role: "user", content });
    expect(stored.slice(0, -1).map((message) => message.role)).toEqual(["system", "user", "assistant", "system"]);
    expect(stored.at(-2)!.content).toMatch(/^The user declined to run this shell tool use/);
    await until("C's generation to end", async () => {
      const body = (await (await call(c!, "large")).json()) as { session?: { generating: boolean } };
      return body.session?.generating === false;
    });
    // The message's event is too large for NATS too: clients are told to reload instead.
    await watcher.next((frame) => frame.data.type === "error" && frame.data.error === eventTooLargeMessage, 60_000);
    // The body waited in the store only while C read it.
    expect(await query("SELECT id FROM forwarded_bodies")).toEqual([]);
  }, 240_000);

  it("the auto-confirm budget goes with the conversation: what one replica's steps used is gone on the next replica", async () => {
    const [a, b] = await replicas("a", "b");
    const response = await call(a!, "budget", { method: "PUT", json: { messages: [{ role: "user", content: "run things" }], config: { chat: { name: "budget" } }, auto_confirm: 2 } });
    expect(response.status).toBe(200);
    const sessionId = ((await response.json()) as { session_id: string }).session_id;
    const watcher = await events(b!, "budget", sessionId);
    expect((await watcher.nextType("connected")).data.auto_confirm_left).toBe(2);
    const pendings: SseFrame[] = [];
    const stepOn = async (server: ServerProcess, ending: string, settle?: (pending: SseFrame) => Promise<void>) => {
      model.enqueue({ text: `Running.\n\`\`\`shell\necho ${ending}\n\`\`\`\n` }, { text: ending });
      expect((await call(server, "budget/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
      const pending = await watcher.nextType("tool_pending", 60_000);
      pendings.push(pending);
      await settle?.(pending);
      await watcher.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as Message).content === ending, 60_000);
    };
    await stepOn(a!, "first");
    await stepOn(b!, "second");
    // Both tools of the budget were used (one on each replica): the third asks, wherever it runs.
    await stepOn(a!, "third", async (pending) => {
      const confirmed = await call(b!, "budget/tool/confirm", { method: "POST", json: { session_id: sessionId, tool_id: pending.data.tool_id, action: "confirm" } });
      expect(confirmed.status).toBe(200);
    });
    // A budget set where nothing runs is the conversation's, for a step on another replica.
    const set = await call(b!, "budget/tool/confirm", { method: "POST", json: { session_id: sessionId, auto_confirm: 1 } });
    expect(((await set.json()) as { auto_confirm_left: unknown }).auto_confirm_left).toBe(1);
    await stepOn(a!, "fourth");
    expect(pendings.map((pending) => pending.data.auto_confirm)).toEqual([true, true, false, true]);
    const again = await events(a!, "budget", sessionId);
    expect((await again.nextType("connected")).data.auto_confirm_left).toBe(0);
  }, 240_000);

  it("tasks and user settings are the same on every replica", async () => {
    const [a, b] = await replicas("a", "b");
    const api = (server: ServerProcess, path: string, init: { method?: string; json?: unknown } = {}) =>
      fetch(`${server.url}/api/v2/${path}`, {
        method: init.method ?? "GET",
        headers: { ...processAuth, ...(init.json === undefined ? {} : { "content-type": "application/json" }) },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
    const created = await api(a!, "tasks", { method: "POST", json: { content: "Shared between replicas", metadata: { from: "a" } } });
    expect(created.status).toBe(201);
    const task = (await created.json()) as { id: string; conversation_ids: string[] };
    const seen = await api(b!, `tasks/${task.id}`);
    expect(seen.status).toBe(200);
    expect(await seen.json()).toMatchObject({ id: task.id, content: "Shared between replicas", metadata: { from: "a" }, conversation_ids: task.conversation_ids });
    expect((await api(b!, `tasks/${task.id}/archive`, { method: "POST" })).status).toBe(200);
    const listedOnA = (await (await api(a!, "tasks?include_archived=true")).json()) as { tasks: Array<{ id: string; archived: boolean }> };
    expect(listedOnA.tasks.filter((listed) => listed.id === task.id)).toMatchObject([{ archived: true }]);
    expect(((await (await api(a!, "tasks")).json()) as { tasks: unknown[] }).tasks).toEqual([]);

    expect((await api(a!, "user/default-model", { method: "POST", json: { model: "openai/gpt-4o-mini" } })).status).toBe(200);
    // Each replica holds the settings in memory; a change on another reaches it through NATS.
    await until("B to see A's default model", async () => {
      const settings = (await (await api(b!, "user/settings")).json()) as { default_model: string | null };
      return settings.default_model === "openai/gpt-4o-mini";
    });
    // A change merged on one replica keeps what another saved (favourites next to the default model).
    expect((await api(b!, "user/favorites", { method: "POST", json: { favorites: ["openai/gpt-4o"] } })).status).toBe(200);
    expect(((await (await api(a!, "user/settings")).json()) as { default_model: string | null }).default_model).toBe("openai/gpt-4o-mini");
    // Stored once, in PostgreSQL: no local file of a replica holds them.
    expect(await query("SELECT key FROM user_settings ORDER BY key")).toEqual([{ key: "default_model" }, { key: "favorites" }]);
    expect(readdirSync(join(directory, "data", "gptme")).filter((name) => name.startsWith("server-local"))).toEqual([]);
  }, 240_000);

  it("a replica killed mid-reply: a survivor stores the reply so far as interrupted, no event is lost, the next step runs elsewhere", async () => {
    const [a, b, c] = await replicas("a", "b", "c");
    const sessionId = await create(a!, "failover", "tell me a long story");
    const watcher = await events(b!, "failover", sessionId);
    await watcher.nextType("connected");
    model.enqueue({ text: "Once upon a time a reply streamed slowly, word by word. ".repeat(40), chunkSize: 10, delayMs: 10, hang: true });
    expect((await call(c!, "failover/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);

    let streamed = "";
    const firstToken = await watcher.nextType("generation_progress", 60_000);
    await watcher.next((frame) => {
      if (frame.data.type === "generation_progress") streamed += String(frame.data.token);
      return streamed.length >= 600;
    }, 60_000);
    await until("the draft to be saved", async () => (await draftLength("failover")) >= 300);
    c!.child.kill("SIGKILL");
    await exited(c!.child);

    const interrupted = await until("a survivor to take the conversation over", async () => {
      const last = (await log(a!, "failover")).at(-1)!;
      return last.role === "assistant" ? last : null;
    });
    expect(interrupted.content).toMatch(/^Once upon a time a reply streamed slowly/);
    expect(interrupted.content).toContain("[INTERRUPTED]");
    expect(await draftLength("failover")).toBe(0);
    await watcher.nextType("interrupted", 60_000);

    // A client that reconnects elsewhere from an event it saw gets every event after it, once.
    const resumedFrom = Number(firstToken.id);
    const resumed = await events(a!, "failover", sessionId, resumedFrom);
    await resumed.nextType("interrupted", 60_000);
    const seenOnB = watcher.frames.filter((frame) => frame.id !== undefined && Number(frame.id) > resumedFrom).map((frame) => [frame.id, frame.data]);
    const replayedOnA = resumed.frames.filter((frame) => frame.id !== undefined).map((frame) => [frame.id, frame.data]);
    expect(replayedOnA).toEqual(seenOnB);
    expect(resumed.types()).not.toContain("error");

    model.enqueue({ text: "The end, told by a survivor." });
    expect((await call(b!, "failover/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await resumed.next((frame) => frame.data.type === "generation_complete", 60_000);
    expect((await log(b!, "failover")).at(-1)!.content).toBe("The end, told by a survivor.");
  }, 240_000);

  it("a replica stopped with SIGTERM mid-reply (a rolling upgrade) stores the reply so far and frees the conversation at once", async () => {
    const [a, c] = await replicas("a", "c");
    const sessionId = await create(a!, "upgrade", "tell me a story");
    const watcher = await events(a!, "upgrade", sessionId);
    await watcher.nextType("connected");
    const fullReply = "A reply cut short by an upgrade. ".repeat(40);
    model.enqueue({ text: fullReply, chunkSize: 10, delayMs: 10, hang: true });
    expect((await call(c!, "upgrade/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await watcher.nextType("generation_progress", 60_000);
    c!.child.kill("SIGTERM");
    expect(await exited(c!.child)).toBe(0);
    await watcher.nextType("interrupted", 60_000);
    // C stores the reply so far, then says so (generation_complete with it), before it exits.
    const cut = await watcher.nextType("generation_complete", 60_000);
    // However much had streamed when the signal came (one chunk on a busy machine), that much is kept.
    const cutContent = (cut.data.message as Message).content;
    expect(cutContent).toMatch(/^A reply[\s\S]* \[INTERRUPTED\]$/);
    expect(fullReply.startsWith(cutContent.replace(/ \[INTERRUPTED\]$/, ""))).toBe(true);
    const stored = await log(a!, "upgrade");
    expect(stored.at(-1)!.content).toBe((cut.data.message as Message).content);
    // No lease left to expire: the next step runs on A straight away.
    model.enqueue({ text: "Carried on by A." });
    expect((await call(a!, "upgrade/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await watcher.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as Message).content === "Carried on by A.", 60_000);
    expect((await log(a!, "upgrade")).at(-1)!.content).toBe("Carried on by A.");
  }, 240_000);

  it("fencing: a replica paused past its lease writes nothing once another took the conversation over", async () => {
    const [a, c] = await replicas("a", "c");
    const sessionId = await create(a!, "fenced", "tell me a story");
    const watcher = await events(a!, "fenced", sessionId);
    await watcher.nextType("connected");
    // Still streaming when the paused replica wakes up, then ends: an unfenced replica would store it whole.
    model.enqueue({ text: "A paused replica must not write this. ".repeat(60), chunkSize: 10, delayMs: 15 });
    expect((await call(c!, "fenced/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await watcher.nextType("generation_progress", 60_000);
    await until("the draft to be saved", async () => (await draftLength("fenced")) >= 100);

    c!.child.kill("SIGSTOP");
    const takenOver = await until("A to take the conversation over", async () => {
      const stored = await log(a!, "fenced");
      return stored.at(-1)!.role === "assistant" ? stored : null;
    });
    expect(takenOver.at(-1)!.content).toContain("[INTERRUPTED]");
    const takeoverEvent = await watcher.nextType("interrupted", 60_000);

    c!.child.kill("SIGCONT");
    await until("C's generation to end", async () => {
      const body = (await (await call(c!, "fenced")).json()) as { session?: { generating: boolean } };
      return body.session?.generating === false;
    });
    // The model's stream has ended and C has given up: nothing of C's landed in the store or the events.
    expect(await log(a!, "fenced")).toEqual(takenOver);
    expect(await draftLength("fenced")).toBe(0);
    expect(model.pending()).toBe(0);
    model.enqueue({ text: "Next step, on A." });
    expect((await call(a!, "fenced/step", { method: "POST", json: { session_id: sessionId } })).status).toBe(200);
    await watcher.next((frame) => frame.data.type === "generation_complete", 60_000);
    const after = watcher.frames.filter((frame) => frame.id !== undefined && Number(frame.id) > Number(takeoverEvent.id));
    // Everything after the takeover is A's next step: no token of C's paused generation.
    expect(after.map((frame) => frame.data.type)).not.toContain("interrupted");
    expect(after.filter((frame) => frame.data.type === "generation_progress").map((frame) => frame.data.token).join("")).toBe("Next step, on A.");
    expect((await log(a!, "fenced")).at(-1)!.content).toBe("Next step, on A.");
    expect(c!.output()).toMatch(/lost the lease of conversation fenced \(fencing token \d+, (not renewed in time|taken over by another replica)\)/);
  }, 240_000);
});
