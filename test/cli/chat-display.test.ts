/** How a reply and its confirmation look in a real terminal (tmux): code set apart, nothing shown twice. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
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
});
afterEach(() => {
  session?.close();
  session = undefined;
  home.cleanup();
});

function startChat(args: string[]): TmuxSession {
  session = TmuxSession.start({
    directory: home.root,
    cwd: home.workspace,
    env: home.env,
    command: [process.execPath, "--import", tsxLoader, programs.gptme, "-m", "local/fake", ...args],
  });
  return session;
}

const atPrompt = (screen: string) => screen.trimEnd().split("\n").at(-1)!.trim() === "User:";
const question = "Execute shell? [Y/n/e/a/?]";

describe.skipIf(!tmuxAvailable())("the chat's display", () => {
  it("sets a code block apart from the text above it and shows a command once, not again as a preview", async () => {
    server.enqueue(
      { text: "Listing the files:\n```shell\nls -a\n```\n", chunkSize: 3 },
      { text: "Writing it:\n```save notes.txt\nhello\n```\n" },
      { text: "Done." },
    );
    const chat = startChat([]);
    await chat.waitFor(atPrompt);
    chat.typeLine("list the files");
    const screen = await chat.waitFor(question);
    expect(screen).toContain(`Assistant: Listing the files:\n\n\`\`\`shell\nls -a\n\`\`\`\n${question}`);
    expect(chat.count("ls -a")).toBe(1);
    expect(screen).not.toContain("Preview");
    chat.typeLine("y");
    // A diff says more than the reply did: file tools keep their preview.
    const saveScreen = await chat.waitFor("Execute save? [Y/n/e/a/?]");
    expect(saveScreen).toContain("Preview");
    expect(saveScreen).toContain("+hello");
    chat.typeLine("y");
    await chat.waitFor((text) => text.includes("Done.") && atPrompt(text));
    chat.press("C-d");
    expect(await chat.exitCode()).toBe(0);
  }, 120_000);

  it("previews a native tool call, which the reply's text does not show", async () => {
    server.enqueue({ text: "Running it.", toolCalls: [{ name: "shell", arguments: { command: "echo native-call" } }] }, { text: "Done." });
    const chat = startChat(["--tool-format", "tool"]);
    await chat.waitFor(atPrompt);
    chat.typeLine("run it");
    const screen = await chat.waitFor(question);
    expect(screen).toContain("Preview");
    expect(chat.count("echo native-call")).toBe(1);
    chat.typeLine("n");
    await chat.waitFor(atPrompt);
    chat.press("C-d");
    expect(await chat.exitCode()).toBe(0);
  }, 120_000);
});
