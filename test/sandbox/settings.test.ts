import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { allowlistedEnvironment, parseEnvironmentNames, unsandboxedEnvironment } from "../../runtime/sandbox/environment.js";
import { DEFAULT_PIDS, parseByteSize, resolveSandboxSettings } from "../../runtime/sandbox/settings.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function config(text: string, local?: string): string {
  const directory = mkdtempSync(join(tmpdir(), "gptme-sandbox-config-"));
  directories.push(directory);
  writeFileSync(join(directory, "config.toml"), text);
  if (local !== undefined) writeFileSync(join(directory, "config.local.toml"), local);
  return join(directory, "config.toml");
}

const server = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/server",
  USER: "server",
  SHELL: "/bin/bash",
  LANG: "C.UTF-8",
  LC_ALL: "C.UTF-8",
  LC_CTYPE: "C.UTF-8",
  TERM: "xterm",
  TZ: "UTC",
  GPTME_SERVER_TOKEN: "the-token",
  OPENAI_API_KEY: "sk-key",
  ANTHROPIC_API_KEY: "sk-ant",
  AWS_SECRET_ACCESS_KEY: "aws",
  DATABASE_URL: "postgres://user:pass@db/x",
  GITHUB_TOKEN: "ghp",
};

describe("the sandbox's environment", () => {
  it("passes only the allowlist, with its own HOME: no token, no provider key, no secret named otherwise", () => {
    expect(allowlistedEnvironment(server, { home: "/home/sandbox" })).toEqual({
      PATH: "/usr/bin:/bin",
      HOME: "/home/sandbox",
      USER: "server",
      SHELL: "/bin/bash",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      LC_CTYPE: "C.UTF-8",
      TERM: "xterm",
      TZ: "UTC",
    });
  });

  it("adds the names the user lists (a trailing * matches a prefix), the token included if they insist", () => {
    const names = parseEnvironmentNames("GITHUB_TOKEN, AWS_*,not-a-name,GPTME_SERVER_TOKEN");
    expect(names).toEqual(["GITHUB_TOKEN", "AWS_*", "GPTME_SERVER_TOKEN"]);
    const environment = allowlistedEnvironment(server, { home: "/h", extraNames: names });
    expect(environment).toMatchObject({ GITHUB_TOKEN: "ghp", AWS_SECRET_ACCESS_KEY: "aws", GPTME_SERVER_TOKEN: "the-token" });
    expect(environment.OPENAI_API_KEY).toBeUndefined();
  });

  it("gives a PATH when the server has none", () => {
    expect(allowlistedEnvironment({}, { home: "/h" }).PATH).toBe("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  });

  it("without a sandbox passes everything but the server's token (gptme's behaviour, minus the token)", () => {
    const environment = unsandboxedEnvironment(server);
    expect(environment.GPTME_SERVER_TOKEN).toBeUndefined();
    expect(environment.OPENAI_API_KEY).toBe("sk-key");
    expect(unsandboxedEnvironment(server, ["GPTME_SERVER_TOKEN"]).GPTME_SERVER_TOKEN).toBe("the-token");
  });
});

describe("sandbox settings", () => {
  const resolve = (input: Partial<Parameters<typeof resolveSandboxSettings>[0]> = {}) =>
    resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: "bwrap", ...input });

  it("defaults: the given backend, network on, the base allowlist, 1024 processes", () => {
    const settings = resolve();
    expect(settings).toMatchObject({ backend: "bwrap", explicit: false, network: "on", extraEnvironmentNames: [], readOnly: [] });
    expect(settings.limits.pids).toBe(DEFAULT_PIDS);
    expect(settings.limits.memoryBytes).toBeGreaterThan(0);
  });

  it("takes the flag over GPTME_SANDBOX over [sandbox] backend", () => {
    const path = config('[sandbox]\nbackend = "none"\nnetwork = "none"\n');
    expect(resolve({ configPath: path })).toMatchObject({ backend: "none", explicit: true, network: "none" });
    expect(resolve({ configPath: path, env: { GPTME_SANDBOX: "bwrap", GPTME_SANDBOX_NETWORK: "on" } })).toMatchObject({ backend: "bwrap", network: "on" });
    expect(resolve({ configPath: path, env: { GPTME_SANDBOX: "bwrap" }, backendFlag: "none", networkFlag: "none" })).toMatchObject({ backend: "none", network: "none" });
  });

  it("reads env names, limits and read-only paths from the config; config.local.toml wins", () => {
    const path = config('[sandbox]\nenv = ["GITHUB_TOKEN"]\npids = 100\nmemory = "1G"\nread_only = ["~/.cargo", "/opt/tools", "relative"]\n', "[sandbox]\npids = 200\n");
    const settings = resolve({ configPath: path, env: { HOME: "/home/me", GPTME_SANDBOX_ENV: "NPM_TOKEN" } });
    expect(settings.extraEnvironmentNames).toEqual(["NPM_TOKEN", "GITHUB_TOKEN"]);
    expect(settings.limits).toEqual({ pids: 200, memoryBytes: 1024 ** 3 });
    expect(settings.readOnly).toEqual(["/home/me/.cargo", "/opt/tools"]);
    expect(resolve({ configPath: path, env: { GPTME_SANDBOX_PIDS: "300", GPTME_SANDBOX_MEMORY: "512M" } }).limits).toEqual({ pids: 300, memoryBytes: 512 * 1024 ** 2 });
  });

  it("refuses what it cannot use, naming where it came from", () => {
    expect(() => resolve({ backendFlag: "docker" })).toThrow("Unknown sandbox backend in --sandbox: docker (expected bwrap, container, user, none)");
    expect(() => resolve({ env: { GPTME_SANDBOX: "chroot" } })).toThrow(/in GPTME_SANDBOX: chroot/);
    expect(() => resolve({ networkFlag: "off" })).toThrow("Invalid sandbox network in --sandbox-network: off (expected on or none)");
    expect(() => resolve({ env: { GPTME_SANDBOX_PIDS: "lots" } })).toThrow(/Invalid sandbox process limit: lots/);
    expect(() => resolve({ env: { GPTME_SANDBOX_MEMORY: "1K" } })).toThrow(/Invalid sandbox memory limit: 1K/);
    expect(() => resolve({ configPath: config("[sandbox\n") })).toThrow(/Cannot read .*config\.toml/);
  });

  it("parses byte sizes", () => {
    expect(parseByteSize("2G")).toBe(2 * 1024 ** 3);
    expect(parseByteSize("1.5GiB")).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize("512m")).toBe(512 * 1024 ** 2);
    expect(parseByteSize("1048576")).toBe(1048576);
    expect(parseByteSize("a lot")).toBeUndefined();
  });
});
