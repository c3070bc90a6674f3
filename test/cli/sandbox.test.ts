/** The terminal `gptme`: unsandboxed by default, as gptme; `--sandbox bwrap` isolates its tools. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { LOCAL_BACKENDS } from "../support/sandboxes.js";
import { createCliHome, runCli, type CliHome } from "./support/cli-process.js";

let server: FakeModelServer;
let home: CliHome;

beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  home = createCliHome({ OPENAI_BASE_URL: server.openaiBaseURL, OPENAI_API_KEY: "sk-cli-secret" });
});
afterEach(() => home.cleanup());

const gptme = (args: string[]) => runCli("gptme", args, { env: home.env, cwd: home.workspace, timeoutMs: 60_000 });

/** The model writes a file with save, then the shell reports the key it can see and the data dir. */
function script() {
  server.enqueue(
    { text: "```save note.txt\nhello\n```\n" },
    { text: '```shell\necho "key=[${OPENAI_API_KEY:-}]"; ls ~/.local/share/gptme >/dev/null 2>&1 && echo data-visible || echo data-hidden\n```\n' },
    { text: "Done." },
    { text: "Sandbox check" },
  );
}

describe("gptme's tools", () => {
  it("run unsandboxed by default, as gptme's do: the whole environment, the user's own files", async () => {
    script();
    const result = await gptme(["-n", "-m", "local/fake", "check"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(readFileSync(join(home.workspace, "note.txt"), "utf8")).toBe("hello\n");
    expect(result.stdout).toContain("key=[sk-cli-secret]");
    expect(result.stdout).toContain("data-visible");
  });

  it.runIf(LOCAL_BACKENDS.includes("bwrap"))("run in a bwrap sandbox with --sandbox bwrap: the workspace only, no keys", async () => {
    script();
    const result = await gptme(["-n", "-m", "local/fake", "--sandbox", "bwrap", "check"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(readFileSync(join(home.workspace, "note.txt"), "utf8")).toBe("hello\n");
    expect(result.stdout).toContain("key=[]");
    expect(result.stdout).toContain("data-hidden");
  });

  it("refuses an unknown backend with one line", async () => {
    const result = await gptme(["-n", "-m", "local/fake", "--sandbox", "chroot", "check"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("gptme: Unknown sandbox backend in --sandbox: chroot (expected bwrap, container, user, none)\n");
  });
});
