/**
 * The interactive chat in a real terminal (tmux): streamed replies, the confirmation prompt, slash
 * commands, Ctrl-C, and what ends up in the store.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { INTERRUPTED_MARK } from "../../runtime/agent/messages.js";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
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

function startChat(args: string[], env: NodeJS.ProcessEnv = {}): TmuxSession {
  session = TmuxSession.start({
    directory: home.root,
    cwd: home.workspace,
    env: { ...home.env, ...env },
    command: [process.execPath, "--import", tsxLoader, programs.gptme, "-m", "local/fake", ...args],
  });
  return session;
}

const lastLine = (screen: string) => screen.trimEnd().split("\n").at(-1)!.trim();
/** The `User:` prompt is on the last line: the chat waits for input. */
const atPrompt = (screen: string) => lastLine(screen) === "User:";

async function onlyConversation() {
  const store = SqliteConversationStore.open(home.databasePath);
  try {
    const [summary] = (await store.list({ limit: 1 })).items;
    return { conversation: (await store.get(summary!.id))!, messages: await store.messages(summary!.id) };
  } finally {
    await store.close();
  }
}

describe.skipIf(!tmuxAvailable())("interactive gptme", () => {
  it("streams a reply, asks before a tool (n stops, y runs), and runs /undo, /tokens and /exit", async () => {
    const save = "```save hello.py\nprint('hello')\n```\n";
    server.enqueue(
      { text: `I will write it.\n${save}`, chunkSize: 4, delayMs: 5 },
      { text: "Hello file" },
      { text: `Writing it now.\n${save}` },
      { text: "Done, hello.py is written." },
    );
    const chat = startChat([]);
    await chat.waitFor(atPrompt);

    chat.typeLine("write hello.py");
    let screen = await chat.waitFor("[Y/n/e/a/?]");
    expect(screen).toContain("Assistant: I will write it.");
    expect(screen).toContain("+print('hello')");
    chat.typeLine("n");
    await chat.waitFor((text) => text.includes("stopped here") && atPrompt(text));
    expect(existsSync(join(home.workspace, "hello.py"))).toBe(false);

    chat.typeLine("please do it");
    await chat.waitFor(() => chat.count("[Y/n/e/a/?]") === 2);
    chat.typeLine("y");
    screen = await chat.waitFor((text) => text.includes("Done, hello.py is written.") && atPrompt(text));
    expect(screen).toContain("System: Saved to hello.py");
    expect(readFileSync(join(home.workspace, "hello.py"), "utf8")).toBe("print('hello')\n");

    chat.typeLine("/undo");
    await chat.waitFor("Undid assistant: Done, hello.py is written.");
    chat.typeLine("/tokens");
    // Two replies are left after the undo; replies cut at their tool use carry no usage.
    await chat.waitFor(/local\/fake: 2 replies, input [\d,]+, output [\d,]+, cost \$0\.00\nTotal: input/);
    chat.typeLine("/nope");
    await chat.waitFor("Unknown command: /nope (type /help to list the commands)");
    // A pasted block of lines is one message, not one message per line.
    chat.press("-l", "line one\nline two\n");
    await chat.waitFor((text) => text.includes("Assistant: ok") && atPrompt(text));
    chat.typeLine("/exit");
    expect(await chat.exitCode()).toBe(0);

    const { conversation, messages } = await onlyConversation();
    expect(conversation.name).toBe("Hello file");
    expect(messages.at(-3)).toMatchObject({ role: "system", content: "Saved to hello.py" });
    expect(messages.filter((message) => message.role === "user").map((message) => message.content)).toEqual(["write hello.py", "please do it", "line one\nline two"]);
    // Prompts go to the history file; answers to confirmations do not.
    const history = readFileSync(join(home.dataDirectory, "history"), "utf8");
    expect(history).toBe("write hello.py\nplease do it\n/undo\n/tokens\n/nope\nline one line two\n/exit\n");
  });

  it("Ctrl-C interrupts a reply or a running tool without leaving; twice at an empty prompt exits with 130", async () => {
    server.enqueue({ text: "Let me think about it", hang: true }, { text: "```shell\nsleep 30\n```\n" });
    const chat = startChat(["--name", "interrupted"]);
    await chat.waitFor(atPrompt);
    chat.typeLine("think hard");
    await chat.waitFor("Let me think about it");
    chat.press("C-c");
    await chat.waitFor((text) => text.includes("Interrupted") && atPrompt(text));

    chat.typeLine("run a slow command");
    await chat.waitFor("[Y/n/e/a/?]");
    chat.typeLine("y");
    await chat.waitFor("Running shell");
    chat.press("C-c");
    await chat.waitFor((text) => text.split("Interrupted").length === 3 && atPrompt(text));

    chat.press("C-c");
    await chat.waitFor("press Ctrl-C again to exit");
    chat.press("C-c");
    expect(await chat.exitCode()).toBe(130);
    const { messages } = await onlyConversation();
    expect(messages.find((message) => message.role === "assistant")).toMatchObject({ content: `Let me think about it${INTERRUPTED_MARK}` });
    expect(messages.at(-1)).toMatchObject({ role: "system", content: expect.stringMatching(/interrupt/i) });
  });

  it("'e' edits the tool's content in $EDITOR before running it; 'a' confirms the rest", async () => {
    server.enqueue(
      { text: "```save a.txt\nhello\n```\n" },
      { text: "```save b.txt\nsecond\n```\n" },
      { text: "```save c.txt\nthird\n```\n" },
      { text: "All saved." },
    );
    const chat = startChat(["--name", "edited"], { EDITOR: "sed -i s/hello/edited/" });
    await chat.waitFor(atPrompt);
    chat.typeLine("save a few files");
    await chat.waitFor("[Y/n/e/a/?]");
    chat.typeLine("e");
    await chat.waitFor(() => chat.count("[Y/n/e/a/?]") === 2);
    expect(readFileSync(join(home.workspace, "a.txt"), "utf8")).toBe("edited\n");
    chat.typeLine("a");
    await chat.waitFor((text) => text.includes("All saved.") && atPrompt(text));
    expect(readFileSync(join(home.workspace, "c.txt"), "utf8")).toBe("third\n");
    expect(chat.count("[Y/n/e/a/?]")).toBe(2);
    chat.press("C-d");
    expect(await chat.exitCode()).toBe(0);
  });
});
