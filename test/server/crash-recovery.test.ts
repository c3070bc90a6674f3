/**
 * Nothing acknowledged is lost: a server killed with SIGKILL while a reply streams finds that reply
 * at its next start (from the draft it kept about once a second), marked as gptme marks an
 * interrupted reply, and the conversation goes on.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer } from "../support/fake-model-server.js";
import { exited, processAuth, startServerProcess } from "../support/server-process.js";
import { SseReader } from "../support/sse-client.js";

let directory: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-crash-"));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

/** Waits (a readiness signal, polled) until the server process has saved at least `length` characters of the draft. */
async function draftReaches(databasePath: string, length: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  const database = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    for (;;) {
      const row = database.prepare("SELECT length(content) AS length FROM drafts").get() as { length: number } | undefined;
      if (row && row.length >= length) return;
      if (Date.now() > deadline) throw new Error(`the draft never reached ${length} characters (${row?.length ?? "none"})`);
      await delay(50);
    }
  } finally {
    database.close();
  }
}

describe("a crash mid-reply", () => {
  it("keeps what streamed: after kill -9 and a restart the reply is in the log, marked [INTERRUPTED], and the next step works", async () => {
    const model = await startFakeModelServer();
    const env = { OPENAI_BASE_URL: model.openaiBaseURL, MODEL: "local/fake" };
    try {
      const first = await startServerProcess(directory, [], env);
      children.push(first.child);
      const url = `${first.url}/api/v2/conversations/crash`;
      const put = await fetch(url, {
        method: "PUT",
        headers: processAuth,
        body: JSON.stringify({ messages: [{ role: "user", content: "tell me a long story" }], config: { chat: { name: "story" } } }),
      });
      const sessionId = (await put.json()).session_id as string;
      const events = new SseReader(await fetch(`${url}/events?session_id=${sessionId}`, { headers: processAuth }));
      await events.nextType("connected");
      const story = "Once upon a time the reply streamed slowly, word by word. ".repeat(25);
      model.enqueue({ text: story, chunkSize: 10, delayMs: 10, hang: true });
      expect((await fetch(`${url}/step`, { method: "POST", headers: processAuth, body: JSON.stringify({ session_id: sessionId }) })).status).toBe(200);

      let streamed = "";
      await events.next((frame) => {
        if (frame.data.type === "generation_progress") streamed += String(frame.data.token);
        return streamed.length >= 1000;
      }, 30_000);
      await draftReaches(join(directory, "data", "gptme", "gptme.db"), 1000);
      const logWhileStreaming = (await (await fetch(url, { headers: processAuth })).json()).log as Array<{ role: string }>;
      expect(logWhileStreaming.at(-1)!.role).toBe("user");
      first.child.kill("SIGKILL");
      await exited(first.child);
      await events.close();

      const second = await startServerProcess(directory, [], env);
      children.push(second.child);
      // The banner and the recovery line are separate writes: the second may arrive after "listening on".
      for (let waited = 0; waited < 30_000 && !/Recovered \d+ repl/.test(second.output()); waited += 50) await delay(50);
      expect(second.output()).toMatch(/Recovered 1 reply cut off by a crash/);
      const restartedUrl = `${second.url}/api/v2/conversations/crash`;
      const log = (await (await fetch(restartedUrl, { headers: processAuth })).json()).log as Array<{ role: string; content: string; metadata?: unknown }>;
      const reply = log.at(-1)!;
      expect(reply.role).toBe("assistant");
      expect(reply.content.endsWith(" [INTERRUPTED]")).toBe(true);
      const kept = reply.content.slice(0, -" [INTERRUPTED]".length);
      expect(kept.length).toBeGreaterThanOrEqual(1000);
      expect(story.startsWith(kept)).toBe(true);
      expect(reply.metadata).toEqual({ model: "local/fake" });

      const stream = new SseReader(await fetch(`${restartedUrl}/events`, { headers: processAuth }));
      const connected = await stream.nextType("connected");
      await fetch(restartedUrl, { method: "POST", headers: processAuth, body: JSON.stringify({ role: "user", content: "go on" }) });
      model.enqueue({ text: "And they lived happily ever after." });
      const step = await fetch(`${restartedUrl}/step`, {
        method: "POST",
        headers: processAuth,
        body: JSON.stringify({ session_id: connected.data.session_id }),
      });
      expect(step.status).toBe(200);
      await stream.next((frame) => frame.data.type === "generation_complete", 30_000);
      await stream.close();
      const after = (await (await fetch(restartedUrl, { headers: processAuth })).json()).log as Array<{ role: string; content: string }>;
      expect(after.slice(-3).map((message) => message.role)).toEqual(["assistant", "user", "assistant"]);
      expect(after.at(-1)!.content).toBe("And they lived happily ever after.");
      expect(JSON.stringify(model.requests.at(-1)!.body.messages)).toContain(kept.slice(0, 200));
      const database = new Database(join(directory, "data", "gptme", "gptme.db"), { readonly: true });
      expect(database.prepare("SELECT count(*) AS count FROM drafts").get()).toEqual({ count: 0 });
      database.close();
    } finally {
      await model.close();
    }
  }, 240_000);
});
