/** The standalone fake model server: started as its own process from a script file. */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { createOpenAIModel } from "../../runtime/models/openai.js";
import { collect, message, textOf } from "./helpers.js";

const cliPath = fileURLToPath(new URL("../support/fake-model-cli.ts", import.meta.url));
const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

let child: ChildProcess | undefined;
let directory: string | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
  if (directory) rmSync(directory, { recursive: true, force: true });
});

it("replays the script, then answers ok, and stops on SIGTERM", async () => {
  directory = mkdtempSync(join(tmpdir(), "fake-model-cli-"));
  const script = join(directory, "replies.json");
  writeFileSync(script, JSON.stringify([{ text: "scripted reply" }]));
  child = spawn(process.execPath, ["--import", "tsx", cliPath, "--port", "0", "--script", script], {
    cwd: repositoryRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr!.on("data", (data: Buffer) => (errors += data.toString()));
  const exitedEarly = once(child, "exit").then(([code]) => {
    throw new Error(`the fake model CLI exited with ${code} before printing its URL: ${errors}`);
  });
  const [url] = (await Promise.race([once(createInterface({ input: child.stdout! }), "line"), exitedEarly])) as [string];
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  const model = createOpenAIModel({ provider: "local", model: "fake", apiKey: "none", baseURL: `${url}/v1` });
  expect(textOf(await collect(model.stream({ messages: [message("user", "one")] })))).toBe("scripted reply");
  expect(textOf(await collect(model.stream({ messages: [message("user", "two")] })))).toBe("ok");

  child.kill("SIGTERM");
  const [code] = await once(child, "exit");
  expect(code).toBe(0);
});
