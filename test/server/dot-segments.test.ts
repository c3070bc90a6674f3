import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../adapters/node/serve.js";
import { parseServerOptions } from "../../runtime/config/server-options.js";

let directory: string;
let server: RunningServer;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "gptme-dots-"));
  server = await startServer(
    parseServerOptions(["--port", "0", "--db", join(directory, "gptme.db"), "--workspace", directory], {}),
    { PATH: process.env.PATH, HOME: directory, GPTME_SERVER_TOKEN: "dots" },
  );
});
afterAll(async () => {
  await server.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Sends the request line as written: fetch and undici would resolve the dots on this side first. */
function raw(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, "127.0.0.1", () => {
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer dots\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
    });
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("end", () => resolve({ status: Number(text.split(" ")[1]), body: text.slice(text.indexOf("\r\n\r\n") + 4) }));
    socket.on("error", reject);
  });
}

describe("dot segments in API paths (resolved by URL parsing before routing)", () => {
  it("answer 400 Invalid conversation_id where an id goes, as gptme, instead of reaching another route", async () => {
    for (const [method, path] of [
      ["GET", "/api/v2/conversations/../events"],
      ["GET", "/api/v2/conversations/./events"],
      ["POST", "/api/v2/conversations/%2e%2e/step"],
      ["POST", "/api/v2/conversations/.."],
      ["GET", "/api/v2/conversations/../config"],
      ["GET", "/api/conversations/../files/x"],
    ]) {
      const answer = await raw(method!, path!);
      expect(answer.status, `${method} ${path}`).toBe(400);
      expect(answer.body, `${method} ${path}`).toContain('{"error":"Invalid conversation_id"}');
    }
    const elsewhere = await raw("GET", "/api/v2/./models");
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toContain("segments are not allowed");
    const normal = await raw("GET", "/api/v2/models");
    expect(normal.status).toBe(200);
  });
});
