/**
 * The server's log in both formats (`--log-format text|json`, with `-v` request lines) never holds
 * the token, a provider key or a cookie value: the token is sent every way a client can send it
 * (header, `?token=`, cookie), and the model's error message echoes the key and the token back, as a
 * provider's "Incorrect API key" answer does. The text banner's Token and Web UI lines are the one
 * place the token is printed, for the person at the terminal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { exited } from "../support/server-process.js";

const root = new URL("../..", import.meta.url).pathname;
const token = "log-test-token-6f1d2a9e";
const openaiKey = "sk-proj-log-test-key-83b1c0";
const anthropicKey = "sk-ant-log-test-key-27de4f";

let model: FakeModelServer;
let directory: string;
let child: ChildProcess | undefined;
beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await exited(child);
  }
  rmSync(directory, { recursive: true, force: true });
});

async function startServer(format: "text" | "json") {
  directory = mkdtempSync(join(tmpdir(), "gptme-log-"));
  const process_ = spawn(
    process.execPath,
    ["--import", "tsx", join(root, "adapters/node/main.ts"), "serve", "--port", "0", "--workspace", directory, "--sandbox", "none", "-v", "--log-format", format],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: directory,
        XDG_DATA_HOME: join(directory, "data"),
        GPTME_SERVER_TOKEN: token,
        OPENAI_API_KEY: openaiKey,
        ANTHROPIC_API_KEY: anthropicKey,
        OPENAI_BASE_URL: model.openaiBaseURL,
        MODEL: "local/fake",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child = process_;
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)|"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve((match[1] ?? match[2])!);
    };
    process_.stdout!.on("data", onData);
    process_.stderr!.on("data", onData);
    process_.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { url, output: () => output };
}

/** Everything a client does that could leak a secret into a log line. */
async function exercise(url: string, output: () => string) {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const cookieResponse = await fetch(`${url}/api/v2/auth/cookie`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
  expect(cookieResponse.status).toBe(200);
  const cookie = /gptme_auth=([^;]+)/.exec(cookieResponse.headers.get("set-cookie") ?? "")![1]!;
  expect(cookie.length).toBeGreaterThan(8);
  expect((await fetch(`${url}/api/v2/conversations?token=${encodeURIComponent(token)}`)).status).toBe(200);
  expect((await fetch(`${url}/api/v2/conversations`, { headers: { cookie: `gptme_auth=${cookie}` } })).status).toBe(200);
  expect((await fetch(`${url}/api/v2/conversations?token=wrong-${token}`)).status).toBe(401);
  const created = await fetch(`${url}/api/v2/conversations/leaky`, {
    method: "PUT",
    headers,
    body: JSON.stringify({ messages: [{ role: "user", content: `my key is ${openaiKey}` }] }),
  });
  const sessionId = ((await created.json()) as { session_id: string }).session_id;
  model.enqueue({ status: 401, message: `Incorrect API key provided: ${openaiKey} (server token ${token})` });
  await fetch(`${url}/api/v2/conversations/leaky/step`, { method: "POST", headers, body: JSON.stringify({ session_id: sessionId }) });
  // Wait on the log itself: the generation's last line.
  while (!output().includes("generation_end")) await new Promise((resolve) => setTimeout(resolve, 50));
  return cookie;
}

function expectNoSecrets(lines: string[], cookie: string) {
  for (const line of lines) {
    for (const secret of [token, openaiKey, anthropicKey, cookie]) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(encodeURIComponent(secret));
    }
  }
}

describe("the server log", () => {
  it("in text, holds requests and generations but no secret (beyond the banner's login lines)", async () => {
    model.reset();
    const { url, output } = await startServer("text");
    const cookie = await exercise(url, output);
    const lines = output().split("\n").filter((line) => !/^ {2}(Token|Web UI): /.test(line));
    expect(lines.some((line) => line.startsWith("GET /api/v2/conversations 200 "))).toBe(true);
    expect(lines.some((line) => line.startsWith("GET /api/v2/conversations 401 "))).toBe(true);
    const error = lines.find((line) => line.startsWith("generation_error "));
    expect(error).toMatch(/Incorrect API key provided: \[REDACTED\]/);
    expectNoSecrets(lines, cookie);
  });

  it("in JSON, is one object per line, holds requests and generations, and no secret at all", async () => {
    model.reset();
    const { url, output } = await startServer("json");
    const cookie = await exercise(url, output);
    const lines = output().split("\n").filter((line) => line !== "");
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ event: "server_started", auth: "token" });
    expect(events.some((event) => event.event === "request" && event.path === "/api/v2/conversations" && event.status === 200)).toBe(true);
    expect(events.find((event) => event.event === "generation_error")?.error).toMatch(/Incorrect API key provided: \[REDACTED\]/);
    expect(events.find((event) => event.event === "generation_end")).toMatchObject({ conversation: "leaky", outcome: "error" });
    expectNoSecrets(lines, cookie);
  });
});
