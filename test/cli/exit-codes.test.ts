/** Exit codes 0 / 1 / 130, one readable error line (a stack trace only with -v), and a light start-up. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createCliHome, programs, repositoryRoot, runCli, type CliHome } from "./support/cli-process.js";

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
  home = createCliHome();
});
afterEach(() => home.cleanup());

const gptme = (args: string[]) => runCli("gptme", args, { env: home.env, cwd: home.workspace });
const lines = (text: string) => text.split("\n").filter(Boolean);

describe("exit codes and error lines", () => {
  it("--version and --help exit 0", async () => {
    const version = await gptme(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^gptme v\d+\.\d+\.\d+\n$/);
    const help = await gptme(["--help"]);
    expect(help.code).toBe(0);
    for (const flag of ["--name", "--model", "--workspace", "--resume", "--no-confirm", "--non-interactive", "--tools", "--tool-format", "--system", "--no-stream", "--show-hidden"]) {
      expect(help.stdout).toContain(flag);
    }
  });

  it("without a provider key: one line naming the variables to set, exit 1", async () => {
    const result = await gptme(["-n", "hello"]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^gptme: .*OPENAI_API_KEY.*ANTHROPIC_API_KEY/);
    expect(result.stderr).not.toContain("    at ");
  });

  it("shows the stack trace only with -v", async () => {
    const result = await gptme(["-v", "-n", "hello"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("    at ");
  });

  it("rejects an unknown option, a bad tool format and an unknown tool in one line each", async () => {
    for (const args of [["--bogus"], ["--tool-format", "yaml", "-n", "x"], ["-m", "local/fake", "-t", "nosuchtool", "-n", "x"]]) {
      const result = await runCli("gptme", args, { env: { ...home.env, OPENAI_BASE_URL: server.openaiBaseURL }, cwd: home.workspace });
      expect(result.code, args.join(" ")).toBe(1);
      expect(lines(result.stderr), args.join(" ")).toHaveLength(1);
    }
  });

  it("a model error ends a -n run with exit 1 and one line on stderr", async () => {
    server.enqueue({ status: 400, message: "this model does not exist" });
    const result = await runCli("gptme", ["-n", "-m", "local/fake", "hello"], { env: { ...home.env, OPENAI_BASE_URL: server.openaiBaseURL }, cwd: home.workspace });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain("this model does not exist");
  });

  it("-n with nothing to answer is an error", async () => {
    const result = await runCli("gptme", ["-n", "-m", "local/fake"], { env: { ...home.env, OPENAI_BASE_URL: server.openaiBaseURL }, cwd: home.workspace });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gptme: Nothing to do/);
  });

  it("Ctrl-C (SIGINT) during a -n reply exits with 130", async () => {
    server.enqueue({ text: "thinking...", hang: true });
    const result = await runCli("gptme", ["-n", "-m", "local/fake", "hello"], {
      env: { ...home.env, OPENAI_BASE_URL: server.openaiBaseURL },
      cwd: home.workspace,
      started: (child) => {
        void server.waitForRequests(1).then(() => child.kill("SIGINT"));
      },
    });
    expect(result.code).toBe(130);
  });
});

describe("start-up", () => {
  /** The modules `main.ts` loads before parsing, following static imports only. */
  function staticImports(file: string, seen = new Set<string>()): Set<string> {
    if (seen.has(file)) return seen;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^import\s[^;]*?from\s+"([^"]+)"/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith(".")) staticImports(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")), seen);
      else seen.add(specifier);
    }
    return seen;
  }

  it("--version and --help load neither the SDKs, SQLite nor the tools before parsing", () => {
    const loaded = [...staticImports(programs.gptme)].map((file) => file.replace(repositoryRoot + "/", ""));
    expect(loaded.sort()).toEqual(["adapters/cli/arguments.ts", "adapters/cli/exit.ts", "adapters/cli/main.ts", "adapters/cli/usage.ts"]);
    expect(loaded.join(" ")).not.toMatch(/openai|anthropic|sqlite|runtime\/tools/);
    expect(join(repositoryRoot, "adapters/cli/main.ts")).toBe(programs.gptme);
  });

  it("the installed entry answers --version as the CLI does, without the ES module loader", async () => {
    const packageJson = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8")) as { bin: Record<string, string>; version: string };
    expect(packageJson.bin.gptme).toBe("bin/gptme.cjs");
    const entry = join(repositoryRoot, packageJson.bin.gptme);
    // A CommonJS entry with no import at the top: the ES module CLI is loaded only past --version.
    expect(readFileSync(entry, "utf8")).not.toMatch(/^import /m);
    const installed = spawnSync(process.execPath, [entry, "--version"], { encoding: "utf8" });
    expect(installed.status).toBe(0);
    expect(installed.stdout).toBe(`gptme v${packageJson.version}\n`);
    expect(installed.stdout).toBe((await gptme(["--version"])).stdout);
  });
});
