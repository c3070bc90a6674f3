/**
 * The README's examples, run as written: the `fetch` script against a real server on a port, and
 * the fake model's script driving the whole agent without a key. They are read from README.md, so
 * an edit there that breaks them fails here.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeReply } from "../support/fake-model-server.js";
import { createCliHome, repositoryRoot, runCli } from "../cli/support/cli-process.js";

const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8");

/** The first code block of `language` after `heading` (a fence closes only at a line start). */
function codeBlock(heading: string, language: string): string {
  const start = readme.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const match = new RegExp("```" + language + "\\n([\\s\\S]*?)\\n```\\n").exec(readme.slice(start));
  expect(match, `${language} block after ${heading}`).not.toBeNull();
  return match![1]!;
}

let directory: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-readme-"));
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(directory, { recursive: true, force: true });
});

function startServer(token: string): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", join(repositoryRoot, "adapters/node/main.ts"), "serve", "--port", "0", "--workspace", directory], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH, HOME: directory, XDG_DATA_HOME: join(directory, "data"), GPTME_SERVER_TOKEN: token },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
}

function runNode(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("README examples", () => {
  it("the fetch script sets the token first, and prints the server's JSON error when the token is wrong", async () => {
    const setup = codeBlock("The same from a script with plain `fetch`", "sh");
    expect(setup.indexOf("export GPTME_SERVER_TOKEN=")).toBeGreaterThanOrEqual(0);
    expect(setup.indexOf("export GPTME_SERVER_TOKEN=")).toBeLessThan(setup.indexOf("npm start"));
    const token = "readme-example-token";
    const url = await startServer(token);
    const script = join(directory, "chats.mjs");
    writeFileSync(script, codeBlock("The same from a script with plain `fetch`", "js").replaceAll("http://127.0.0.1:5700", url));

    const listed = await runNode(script, { PATH: process.env.PATH, GPTME_SERVER_TOKEN: token });
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/\[ 'script-chat-\d+' \]/);

    const refused = await runNode(script, { PATH: process.env.PATH, GPTME_SERVER_TOKEN: "not-the-token" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^PUT \/conversations\/script-chat-\d+ failed with 401: \{ error: '.+' \}/);
  }, 60_000);

  it("the fake model's script runs the whole agent without a key: a shell command, then the answer", async () => {
    const replies = JSON.parse(codeBlock("### Try it without a key", "json")) as FakeReply[];
    const command = codeBlock("### Try it without a key", "sh").split("\n")[1]!;
    const prompt = /-n "([^"]+)"/.exec(command)![1]!;
    const server = await startFakeModelServer({ replies });
    const home = createCliHome({ OPENAI_BASE_URL: server.openaiBaseURL });
    try {
      writeFileSync(join(home.workspace, "README.md"), "# A project\n");
      const result = await runCli("gptme", ["-m", "local/fake", "-n", prompt], { env: home.env, cwd: home.workspace });
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("System: Ran command: `ls`");
      expect(result.stdout).toContain("README.md");
      expect(result.stdout).toContain(`Assistant: ${replies[1]!.text}`);
      expect(server.pending()).toBe(0);
    } finally {
      home.cleanup();
      await server.close();
    }
  }, 60_000);
});
