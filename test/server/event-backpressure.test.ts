/**
 * An event stream whose client stops reading: the server writes events straight to the socket while
 * the client keeps up and queues them once the socket's buffers are full. After the client reads
 * again it must get every event, in order, with consecutive ids: the streamed text equals the
 * stored reply.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeModelServer, startFakeModelServer } from "../support/fake-model-server.js";
import { exited, processAuth, processToken, type ServerProcess, startServerProcess } from "../support/server-process.js";

let directory: string;
let model: FakeModelServer;
let server: ServerProcess | undefined;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), "gptme-backpressure-"));
  model = await startFakeModelServer();
});
afterEach(async () => {
  if (server) {
    server.child.kill("SIGKILL");
    await exited(server.child);
    server = undefined;
  }
  await model.close();
  rmSync(directory, { recursive: true, force: true });
});

interface Frame {
  id?: number;
  data: { type: string; token?: string; message?: { content: string } };
}

/** A raw HTTP/1.1 event-stream request, so the test decides when the socket is read. */
function openEventSocket(url: string, path: string): { socket: Socket; frames: Frame[]; waitFor(type: string): Promise<void> } {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${processToken}\r\nAccept: text/event-stream\r\n\r\n`);
  const frames: Frame[] = [];
  const waiters: Array<{ type: string; resolve: () => void }> = [];
  let raw = "";
  let body = "";
  let pending = "";
  let headersDone = false;
  socket.setEncoding("utf8");
  socket.on("data", (text: string) => {
    if (!headersDone) {
      raw += text;
      const end = raw.indexOf("\r\n\r\n");
      if (end === -1) return;
      headersDone = true;
      text = raw.slice(end + 4);
    }
    body += text;
    // Chunked transfer encoding: drop the size lines, keep the frames.
    for (;;) {
      const lineEnd = body.indexOf("\r\n");
      if (lineEnd === -1) break;
      const size = Number.parseInt(body.slice(0, lineEnd), 16);
      if (body.length < lineEnd + 2 + size + 2) break;
      const payload = body.slice(lineEnd + 2, lineEnd + 2 + size);
      body = body.slice(lineEnd + 2 + size + 2);
      pending += payload;
    }
    let index: number;
    while ((index = pending.indexOf("\n\n")) !== -1) {
      const lines = pending.slice(0, index).split("\n");
      pending = pending.slice(index + 2);
      const data = lines.find((line) => line.startsWith("data: "));
      const id = lines.find((line) => line.startsWith("id: "));
      if (!data) continue;
      const frame: Frame = { data: JSON.parse(data.slice(6)), ...(id ? { id: Number(id.slice(4)) } : {}) };
      frames.push(frame);
      for (const waiter of waiters.filter((candidate) => candidate.type === frame.data.type)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    socket,
    frames,
    waitFor: (type) =>
      frames.some((frame) => frame.data.type === type) ? Promise.resolve() : new Promise((resolve) => waiters.push({ type, resolve })),
  };
}

describe("an event stream whose client stops reading", () => {
  it("gets every event in order, with consecutive ids, once it reads again", async () => {
    // About 12 MB of text in 2 000 deltas: far more than loopback socket buffers hold.
    const text = Array.from({ length: 2000 }, (_, index) => `${String(index).padStart(5, "0")}:${"x".repeat(6000)}\n`).join("");
    model.enqueue({ text, chunkSize: 6007 });
    server = await startServerProcess(directory, [], { OPENAI_BASE_URL: model.openaiBaseURL, MODEL: "local/fake" });
    const base = `${server.url}/api/v2/conversations/stalled`;
    const put = await fetch(base, { method: "PUT", headers: processAuth, body: JSON.stringify({ messages: [{ role: "user", content: "go" }] }) });
    const sessionId = ((await put.json()) as { session_id: string }).session_id;
    const stream = openEventSocket(server.url, `/api/v2/conversations/stalled/events?session_id=${sessionId}`);
    await stream.waitFor("connected");
    stream.socket.pause();
    expect((await fetch(`${base}/step`, { method: "POST", headers: processAuth, body: JSON.stringify({ session_id: sessionId }) })).status).toBe(200);

    // The reply is stored while the client reads nothing: the server held the rest for it.
    const deadline = Date.now() + 60_000;
    let stored = "";
    while (Date.now() < deadline) {
      const conversation = (await (await fetch(base, { headers: processAuth })).json()) as { log: Array<{ role: string; content: string }> };
      stored = conversation.log.find((message) => message.role === "assistant")?.content ?? "";
      if (stored) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(stored).toBe(text);
    const readWhilePaused = stream.frames.length;

    stream.socket.resume();
    await stream.waitFor("generation_complete");
    stream.socket.destroy();
    expect(stream.frames.length).toBeGreaterThan(readWhilePaused + 100);
    const numbered = stream.frames.filter((frame) => frame.id !== undefined);
    for (let index = 1; index < numbered.length; index++) expect(numbered[index]!.id).toBe(numbered[index - 1]!.id! + 1);
    const streamed = stream.frames.filter((frame) => frame.data.type === "generation_progress").map((frame) => frame.data.token).join("");
    expect(streamed).toBe(text);
    expect(stream.frames.find((frame) => frame.data.type === "generation_complete")!.data.message!.content).toBe(text);
  }, 120_000);
});
