/**
 * Clients that drip their headers or their body are cut off with 408 on a real port, while an
 * event stream (a response, however long) stays open.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SseReader } from "../support/sse-client.js";
import { processAuth, processToken, startServerProcess } from "../support/server-process.js";

let directory: string;
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-slow-"));
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

/** A client that sends `head` and then one more byte of `drip` every 100 ms, for ever; resolves with what the server answered once it closes the connection. */
function dripper(url: string, head: string, drip: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  let answer = "";
  let timer: NodeJS.Timeout | undefined;
  socket.on("connect", () => {
    socket.write(head);
    timer = setInterval(() => socket.write(drip), 100);
  });
  socket.on("data", (chunk) => (answer += chunk.toString()));
  socket.on("error", () => undefined);
  return new Promise((resolve) =>
    socket.on("close", () => {
      clearInterval(timer);
      resolve(answer);
    }),
  );
}

describe("slow clients on a real port", () => {
  it("answers 408 and closes connections that drip headers or a body, and keeps event streams open", async () => {
    const server = await startServerProcess(directory, ["--headers-timeout", "1", "--request-timeout", "3"]);
    children.push(server.child);
    await fetch(`${server.url}/api/v2/conversations/kept`, { method: "PUT", headers: processAuth, body: JSON.stringify({ messages: [] }) });
    const events = new SseReader(await fetch(`${server.url}/api/v2/conversations/kept/events`, { headers: processAuth }));
    await events.nextType("connected");

    const host = new URL(server.url).host;
    const headers = Array.from({ length: 5 }, () => dripper(server.url, `GET /health HTTP/1.1\r\nHost: ${host}\r\n`, "X-Slow: 1\r\n"));
    const bodies = Array.from({ length: 5 }, () =>
      dripper(
        server.url,
        `POST /api/v2/conversations/kept HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${processToken}\r\n` +
          "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n",
        " ",
      ),
    );
    for (const answer of await Promise.all([...headers, ...bodies])) expect(answer).toMatch(/^HTTP\/1\.1 408/);

    const posted = await fetch(`${server.url}/api/v2/conversations/kept`, {
      method: "POST",
      headers: processAuth,
      body: JSON.stringify({ role: "user", content: "still listening?" }),
    });
    expect(posted.status).toBe(200);
    const added = await events.nextType("message_added");
    expect((added.data.message as { content: string }).content).toBe("still listening?");
    await events.close();
  }, 180_000);

  it("refuses a timeout that is not a positive number of seconds, in one line", async () => {
    await expect(startServerProcess(directory, ["--request-timeout", "soon"])).rejects.toThrow(
      /exited with 1:\ngptme-server: Invalid --request-timeout: soon \(expected a number of seconds above 0\)\n$/,
    );
  }, 180_000);
});
