/** `[mcp]` read from real TOML files in temp dirs, merged in gptme's order, with errors naming the file and key. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { McpConfigurationError, resolveMcpConfig } from "../../runtime/mcp/config.js";

let root: string;
let configDirectory: string;
let workspace: string;
let userConfigFile: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "gptme-mcp-config-"));
  configDirectory = join(root, "config", "gptme");
  workspace = join(root, "workspace");
  mkdirSync(configDirectory, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  userConfigFile = join(configDirectory, "config.toml");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const write = (file: string, text: string) => {
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
};

describe("resolveMcpConfig", () => {
  it("is off with no servers when nothing is configured", () => {
    expect(resolveMcpConfig({ userConfigFile, workspace })).toEqual({ enabled: false, autoStart: false, servers: [] });
  });

  it("reads a gptme user config unchanged: stdio and HTTP servers with their keys", () => {
    write(
      userConfigFile,
      `[env]
OPENAI_API_KEY = "x"

[mcp]
enabled = true
auto_start = true

[[mcp.servers]]
name = "my-server"
enabled = true
command = "server-command"
args = ["--arg1", "--arg2"]
env = { API_KEY = "your-key", PORT = 3000 }

[[mcp.servers]]
name = "http-server"
enabled = false
url = "https://example.com/mcp"
headers = { Authorization = "Bearer your-token" }
`,
    );
    const config = resolveMcpConfig({ userConfigFile, workspace });
    expect(config.enabled).toBe(true);
    expect(config.autoStart).toBe(true);
    expect(config.servers.map((server) => [server.config.name, server.transport, server.needsApproval])).toEqual([
      ["my-server", "stdio", false],
      ["http-server", "http", false],
    ]);
    expect(config.servers[0]!.config).toEqual({
      name: "my-server",
      enabled: true,
      command: "server-command",
      args: ["--arg1", "--arg2"],
      env: { API_KEY: "your-key", PORT: "3000" },
      url: "",
      headers: {},
    });
    expect(config.servers[1]!.config).toMatchObject({ enabled: false, headers: { Authorization: "Bearer your-token" } });
    expect(config.servers[0]!.source).toEqual({ layer: "user", files: [userConfigFile] });
  });

  it("adds config.local.toml's env to a server of the same name, as gptme keeps secrets there", () => {
    write(userConfigFile, `[mcp]\nenabled = true\n[[mcp.servers]]\nname = "s"\ncommand = "run"\nenv = { A = "1" }\n`);
    write(join(configDirectory, "config.local.toml"), `[[mcp.servers]]\nname = "s"\nenv = { SECRET = "2" }\n`);
    const [server] = resolveMcpConfig({ userConfigFile, workspace }).servers;
    expect(server!.config.env).toEqual({ A: "1", SECRET: "2" });
    expect(server!.source.files).toEqual([userConfigFile, join(configDirectory, "config.local.toml")]);
  });

  it("takes servers from the conversation, then the workspace, then the user; flags from the user, then workspace, then conversation", () => {
    write(
      userConfigFile,
      `[mcp]\nenabled = true\nauto_start = true\n[[mcp.servers]]\nname = "shared"\ncommand = "user-version"\n[[mcp.servers]]\nname = "mine"\ncommand = "mine"\n`,
    );
    write(join(workspace, "gptme.toml"), `[mcp]\nauto_start = false\n[[mcp.servers]]\nname = "shared"\ncommand = "workspace-version"\n`);
    const config = resolveMcpConfig({
      userConfigFile,
      workspace,
      conversation: { servers: [{ name: "chat", command: "from-chat" }] },
    });
    expect(config.enabled).toBe(true);
    expect(config.autoStart).toBe(false);
    expect(config.servers.map((server) => [server.config.name, server.config.command, server.source.layer])).toEqual([
      ["chat", "from-chat", "conversation"],
      ["shared", "workspace-version", "project"],
      ["mine", "mine", "user"],
    ]);
    const overridden = resolveMcpConfig({ userConfigFile, workspace, conversation: { enabled: false, auto_start: true } });
    expect([overridden.enabled, overridden.autoStart]).toEqual([false, true]);
  });

  it("marks every server a workspace declares (gptme.toml, .github/gptme.toml, gptme.local.toml) as needing approval", () => {
    write(join(workspace, ".github", "gptme.toml"), `[[mcp.servers]]\nname = "a"\ncommand = "a"\n`);
    write(join(workspace, ".github", "gptme.local.toml"), `[[mcp.servers]]\nname = "b"\ncommand = "b"\n`);
    const servers = resolveMcpConfig({ userConfigFile, workspace }).servers;
    expect(servers.map((server) => [server.config.name, server.needsApproval])).toEqual([
      ["a", true],
      ["b", true],
    ]);
    // A workspace server shadowing a user server of the same name is still the workspace's.
    write(userConfigFile, `[[mcp.servers]]\nname = "a"\ncommand = "trusted"\n`);
    const [shadowing] = resolveMcpConfig({ userConfigFile, workspace }).servers;
    expect(shadowing).toMatchObject({ needsApproval: true, config: { command: "a" } });
  });

  it("fingerprints what would run, so an edited command needs a new approval", () => {
    write(join(workspace, "gptme.toml"), `[[mcp.servers]]\nname = "a"\ncommand = "a"\n`);
    const before = resolveMcpConfig({ userConfigFile, workspace }).servers[0]!.fingerprint;
    write(join(workspace, "gptme.toml"), `[[mcp.servers]]\nname = "a"\nenabled = false\ncommand = "a"\n`);
    expect(resolveMcpConfig({ userConfigFile, workspace }).servers[0]!.fingerprint).toBe(before);
    write(join(workspace, "gptme.toml"), `[[mcp.servers]]\nname = "a"\ncommand = "a"\nargs = ["--evil"]\n`);
    expect(resolveMcpConfig({ userConfigFile, workspace }).servers[0]!.fingerprint).not.toBe(before);
  });

  describe("errors name the file and the key", () => {
    const cases: Array<[string, string, RegExp]> = [
      ["a wrong type", `[mcp]\nenabled = "yes"\n`, /config\.toml: mcp\.enabled: .*boolean/],
      ["args that are not strings", `[[mcp.servers]]\nname = "s"\ncommand = "x"\nargs = [1]\n`, /config\.toml: mcp\.servers\[0\]\.args\[0\]: .*string/],
      ["an unknown server key", `[[mcp.servers]]\nname = "s"\ncommand = "x"\ncmd = "y"\n`, /mcp\.servers\[0\]: .*cmd/],
      ["a name that cannot be a tool name", `[[mcp.servers]]\nname = "my server"\ncommand = "x"\n`, /mcp\.servers\[0\]\.name: must start with a letter/],
      ["neither command nor url", `[[mcp.servers]]\nname = "s"\n`, /mcp\.servers\[0\] \("s"\): needs `command`/],
      ["a url that is not HTTP", `[[mcp.servers]]\nname = "s"\nurl = "ftp://x"\n`, /url: must start with http/],
      ["a duplicate name", `[[mcp.servers]]\nname = "s"\ncommand = "x"\n[[mcp.servers]]\nname = "s"\ncommand = "y"\n`, /mcp\.servers\[1\]\.name: "s" is declared twice/],
      ["servers that are not a list", `[mcp]\nservers = "x"\n`, /mcp\.servers: /],
      ["broken TOML", `[mcp\nenabled = true\n`, /Cannot read .*config\.toml \(line 1/],
    ];
    for (const [what, text, pattern] of cases) {
      it(what, () => {
        write(userConfigFile, text);
        expect(() => resolveMcpConfig({ userConfigFile, workspace })).toThrow(McpConfigurationError);
        expect(() => resolveMcpConfig({ userConfigFile, workspace })).toThrow(pattern);
        expect(() => resolveMcpConfig({ userConfigFile, workspace })).toThrow(userConfigFile);
      });
    }

    it("in the workspace's gptme.toml", () => {
      const file = join(workspace, "gptme.toml");
      write(file, `[[mcp.servers]]\nname = "s"\ncommand = 3\n`);
      expect(() => resolveMcpConfig({ userConfigFile, workspace })).toThrow(`${file}: mcp.servers[0].command`);
    });

    it("in a conversation's config.mcp", () => {
      expect(() => resolveMcpConfig({ userConfigFile, conversation: { servers: [{ name: "s", args: "x" }] } })).toThrow(
        /conversation config: mcp\.servers\[0\]\.args: /,
      );
    });
  });
});
