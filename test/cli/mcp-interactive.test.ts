/**
 * MCP in the interactive chat, in a real terminal (tmux): `/tools` lists the servers and their
 * tools, a workspace server waits for the user's approval, an MCP tool is confirmed like any
 * other tool, and a server's question (elicitation) is answered at the prompt.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { mcpServers, serverToml } from "../support/mcp-servers.js";
import { createCliHome, programs, tsxLoader, type CliHome } from "./support/cli-process.js";
import { TmuxSession, tmuxAvailable } from "./support/tmux-session.js";

let server: FakeModelServer;
let home: CliHome;
let session: TmuxSession | undefined;

beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  home = createCliHome({ OPENAI_BASE_URL: server.openaiBaseURL });
  mkdirSync(join(home.home, ".config", "gptme"), { recursive: true });
});
afterEach(() => {
  session?.close();
  session = undefined;
  home.cleanup();
});

function startChat(): TmuxSession {
  session = TmuxSession.start({
    directory: home.root,
    cwd: home.workspace,
    env: home.env,
    command: [process.execPath, "--import", tsxLoader, programs.gptme, "-m", "local/fake"],
  });
  return session;
}

const atPrompt = (screen: string) => screen.trimEnd().split("\n").at(-1)!.trim() === "User:";
const wait = 60_000;

describe.skipIf(!tmuxAvailable())("interactive gptme with MCP servers", () => {
  it("lists servers in /tools, asks before starting a workspace server, confirms MCP calls and answers a server's question", async () => {
    writeFileSync(
      join(home.home, ".config", "gptme", "config.toml"),
      `[mcp]\nenabled = true\nauto_start = true\n\n${serverToml("everything", mcpServers.everything())}`,
    );
    writeFileSync(join(home.workspace, "gptme.toml"), serverToml("planted", mcpServers.scripted()));
    server.enqueue(
      { text: "Asking you.\n```everything.trigger-elicitation-request\n{}\n```\n" },
      { text: "Thanks, Ada." },
      { text: "Elicitation" },
    );
    const chat = startChat();
    await chat.waitFor(atPrompt, wait);

    chat.typeLine("/tools");
    let screen = await chat.waitFor("MCP servers:", wait);
    expect(screen).toMatch(/everything {2}not started {2}\(stdio, .*config\.toml\)/);
    expect(screen).toMatch(/planted {2}needs the user's approval {2}\(stdio, .*gptme\.toml\)/);

    chat.typeLine("ask me something");
    screen = await chat.waitFor('Start "planted"? [y/N]', wait);
    expect(screen).toContain('The workspace declares the MCP server "planted"');
    expect(screen).toContain("scripted-server.mjs");
    chat.typeLine("y");

    screen = await chat.waitFor("Execute everything.trigger-elicitation-request? [Y/n/e/a/?]", wait);
    chat.typeLine("y");
    await chat.waitFor("Answer it? [Y/n]", wait);
    chat.typeLine("");
    await chat.waitFor(/String \(Your full, legal name\):\s*$/m, wait);
    chat.typeLine("");
    await chat.waitFor("String is required", wait);
    chat.typeLine("Ada");
    await chat.waitFor(/Boolean \(Agree to the terms and conditions; y\/n\) \(optional\):\s*$/m, wait);
    chat.typeLine("maybe");
    await chat.waitFor("answer yes or no", wait);
    chat.typeLine("y");
    // The remaining fields take their defaults.
    const titles = [
      "String with default",
      "String with email format",
      "String with uri format",
      "String with date format",
      "Integer",
      "Number in range 1-1000",
      "Untitled Single Select Enum",
      "Untitled Multiple Select Enum",
      "Titled Single Select Enum",
      "Titled Multiple Select Enum",
      "Legacy Titled Single Select Enum",
    ];
    for (const title of titles) {
      await chat.waitFor((text) => text.trimEnd().split("\n").at(-1)!.trimStart().startsWith(`${title} (`), wait);
      chat.typeLine("");
    }
    screen = await chat.waitFor((text) => text.includes("Assistant: Thanks, Ada.") && atPrompt(text), wait);
    expect(screen).toContain("- Name: Ada");
    expect(screen).toContain("- Agreed to terms: true");
    expect(screen).toContain("- Favorite Integer: 42");

    chat.typeLine("/tools");
    screen = await chat.waitFor(() => chat.count("MCP servers:") === 2, wait);
    const listing = screen.slice(screen.lastIndexOf("MCP servers:"));
    expect(listing).toMatch(/everything {2}running/);
    expect(listing).toContain("everything.echo  Echoes back the input string");
    expect(listing).toMatch(/planted {2}running/);
    expect(listing).toContain("planted.whoami");

    chat.typeLine("/exit");
    expect(await chat.exitCode(wait)).toBe(0);
  }, 240_000);
});
