/**
 * Runs the fake model server on its own, for manual runs and end-to-end tests:
 *
 *   node --import tsx test/support/fake-model-cli.ts --port 5800 --script replies.json
 *   npm run fake-model -- --port 5800 --script replies.json
 *
 * The script is a JSON array of replies (see `FakeReply`); after it, every request gets "ok".
 * Prints the server's URL as its first stdout line (so `--port 0` callers learn the port), then
 * one line per request on stderr; stops on SIGINT/SIGTERM.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startFakeModelServer, type FakeReply } from "./fake-model-server.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    script: { type: "string" },
  },
});

function readScript(path: string | undefined): FakeReply[] {
  if (!path) return [];
  const replies: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (!Array.isArray(replies)) throw new Error(`${path}: the script must be a JSON array of replies`);
  return replies as FakeReply[];
}

let replies: FakeReply[];
try {
  replies = readScript(values.script);
} catch (error) {
  console.error(`fake-model: ${(error as Error).message}`);
  process.exit(2);
}

const server = await startFakeModelServer({
  port: Number(values.port),
  host: values.host,
  replies,
  onRequest: (request) => console.error(`fake-model: ${request.method} ${request.path}`),
});
console.log(server.url);
console.error(`fake-model: OpenAI base URL ${server.openaiBaseURL}, Anthropic base URL ${server.anthropicBaseURL}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
