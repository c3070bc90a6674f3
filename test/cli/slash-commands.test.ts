/**
 * The slash commands in process: a real chat (SQLite store, conversation service, fake model over
 * HTTP), a terminal that records what is written, and scripted answers to questions.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ChatOptions } from "../../adapters/cli/arguments.js";
import { createEventPrinter } from "../../adapters/cli/chat/event-printer.js";
import { AutoConfirm, Interrupts } from "../../adapters/cli/chat/interrupts.js";
import { openChat, type Chat } from "../../adapters/cli/chat/open-chat.js";
import { addUserMessage, runTurn } from "../../adapters/cli/chat/turn.js";
import type { CommandContext } from "../../adapters/cli/commands/command.js";
import { runSlashCommand } from "../../adapters/cli/commands/index.js";
import type { Answer } from "../../adapters/cli/terminal/line-reader.js";
import { createStyles } from "../../adapters/cli/terminal/styles.js";
import type { Terminal } from "../../adapters/cli/terminal/terminal.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createCliHome, type CliHome } from "./support/cli-process.js";

let server: FakeModelServer;
let home: CliHome;
let chat: Chat;
let output: string;
let answers: Answer[];
let context: CommandContext;

beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});

beforeEach(async () => {
  server.reset();
  home = createCliHome({ OPENAI_BASE_URL: server.openaiBaseURL, ANTHROPIC_API_KEY: "test-key" });
  const options: ChatOptions = { prompts: [], name: "commands", model: "local/fake", workspace: home.workspace, resume: false, noConfirm: true, nonInteractive: false, showHidden: false, verbose: false };
  chat = await openChat(options, home.env);
  output = "";
  answers = [];
  const terminal: Terminal = { write: (text) => void (output += text), warn: (text) => void (output += text), isTTY: false, styles: createStyles(false) };
  const printer = createEventPrinter(terminal, { reportErrors: true });
  const turn = { printer, confirm: async () => ({ action: "confirm" as const }), autoConfirm: new AutoConfirm(Number.POSITIVE_INFINITY), interrupts: new Interrupts(() => undefined) };
  context = {
    chat,
    terminal,
    printer,
    reader: { ask: async () => answers.shift() ?? { kind: "end" } },
    turn,
    edit: (text) => text.replace("first question", "edited question"),
  };
  server.enqueue({ text: "```save notes.txt\nnote\n```\n" }, { text: "Saved the note." });
  await addUserMessage(chat, "first question");
  await runTurn(chat, turn);
  output = "";
});

afterEach(async () => {
  await chat.close();
  home.cleanup();
});

const run = (line: string) => runSlashCommand(line, context);
const userMessages = async () => (await chat.store.messages(chat.conversationId)).filter((message) => message.role === "user").map((message) => message.content);

describe("slash commands", () => {
  it("/log shows the visible conversation; /log --hidden also the system prompt", async () => {
    await run("/log");
    expect(output).toContain("User: first question\n");
    expect(output).toContain("System: Saved to notes.txt\n");
    expect(output).not.toContain("You are");
    output = "";
    await run("/log --hidden");
    expect(output.split("System:").length).toBeGreaterThan(2);
  });

  it("/undo N removes the last N messages but never the system prompt", async () => {
    await run("/undo 2");
    expect(output).toContain("Undid assistant: Saved the note.");
    expect(output).toContain("Undid system: Saved to notes.txt");
    await run("/undo 99");
    const messages = await chat.store.messages(chat.conversationId);
    expect(messages.every((message) => message.pinned)).toBe(true);
    output = "";
    await run("/undo");
    expect(output).toBe("Nothing to undo.\n");
    await expect(run("/undo x")).rejects.toThrow(/Usage: \/undo/);
  });

  it("/edit replaces the messages with the edited TOML and keeps a backup branch", async () => {
    await run("/edit");
    expect(await userMessages()).toEqual(["edited question"]);
    const branches = await chat.store.branches(chat.conversationId);
    expect(branches["main-edit-0"]!.some((message) => message.content === "first question")).toBe(true);
  });

  it("/rename sets the name; /rename auto asks the model", async () => {
    await run("/rename Notes chat");
    expect((await chat.conversation()).name).toBe("Notes chat");
    server.enqueue({ text: "Saving a note" });
    await run("/rename auto");
    expect((await chat.conversation()).name).toBe("Saving a note");
  });

  it("/fork copies the conversation under a new id and continues there", async () => {
    await run("/fork copy-of-notes");
    expect(chat.conversationId).toBe("copy-of-notes");
    expect(await userMessages()).toEqual(["first question"]);
    expect(await chat.store.get("commands")).not.toBeNull();
    await expect(run("/fork commands")).rejects.toThrow(/already exists/);
  });

  it("/model lists the models and switches, saving it in the config", async () => {
    await run("/model");
    expect(output).toContain("Current model: local/fake");
    expect(output).toContain("anthropic/claude-sonnet-4-6");
    await run("/model anthropic");
    expect(chat.model.id).toBe("anthropic/claude-sonnet-4-6");
    expect((await chat.conversation()).config.chat.model).toBe("anthropic/claude-sonnet-4-6");
    await expect(run("/model nosuch/model")).rejects.toThrow(/Unknown model provider/);
  });

  it("/tools, /tokens, /context and /help describe the chat", async () => {
    await run("/tools");
    expect(output).toMatch(/save +Write text to file/);
    await run("/tokens");
    expect(output).toMatch(/local\/fake: 2 replies/);
    expect(output).toMatch(/Total: input [\d,]+, output [\d,]+, cost \$0\.00/);
    await run("/cost");
    await run("/context");
    expect(output).toMatch(/System prompt +[\d,]+ tokens/);
    await run("/help");
    for (const name of ["/undo", "/log", "/tools", "/model", "/edit", "/rename", "/fork", "/tokens", "/context", "/export", "/replay", "/impersonate", "/help", "/exit"]) {
      expect(output).toContain(name);
    }
    expect(await run("/exit")).toBe("exit");
  });

  it("/help puts every description in one column, the longest usage included", async () => {
    await run("/help");
    const rows = output.split("\n").filter((line) => line.startsWith("  /"));
    expect(rows.length).toBeGreaterThan(10);
    const columns = rows.map((row) => /^ {2}\/\S+(?: \S+)* {2,}(?=\S)/.exec(row)![0].length);
    expect(new Set(columns).size, rows.join("\n")).toBe(1);
  });

  it("counts in the singular when there is one: 1 reply, 1 message", async () => {
    await run("/undo 2");
    output = "";
    await run("/tokens");
    expect(output).toMatch(/local\/fake: 1 reply, /);
    await run("/undo");
    output = "";
    await run(`/export ${join(home.root, "one.md")}`);
    expect(output).toBe(`Exported 1 message to ${join(home.root, "one.md")}\n`);
    await run("/context");
    expect(output).toMatch(/Your messages +[\d,]+ tokens? {2}1 message\n/);
    expect(output).not.toMatch(/\b1 (messages|replies)\b/);
  });

  it("/export writes HTML (raw HTML in messages escaped) or markdown", async () => {
    await addUserMessage(chat, "<script>alert(1)</script>");
    await addUserMessage(chat, "a [link](javascript:alert(1)) and [another](https://gptme.org)");
    await run(`/export ${join(home.root, "chat.html")}`);
    const html = readFileSync(join(home.root, "chat.html"), "utf8");
    expect(html).toContain("<title>commands</title>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<a href="https://gptme.org">another</a>');
    await run(`/export ${join(home.root, "chat.md")}`);
    const markdown = readFileSync(join(home.root, "chat.md"), "utf8");
    expect(markdown).toContain("## User\n\nfirst question\n");
  });

  it("/impersonate stores your reply and runs its tool uses; /replay runs them again without storing", async () => {
    await run("/impersonate ```save other.txt\nby hand\n```");
    expect(readFileSync(join(home.workspace, "other.txt"), "utf8")).toBe("by hand\n");
    const messages = await chat.store.messages(chat.conversationId);
    expect(messages.at(-2)).toMatchObject({ role: "assistant", content: "```save other.txt\nby hand\n```" });
    expect(messages.at(-1)).toMatchObject({ role: "system", content: "Saved to other.txt" });

    const before = messages.length;
    await Promise.all([join(home.workspace, "notes.txt"), join(home.workspace, "other.txt")].map(async (file) => (await import("node:fs/promises")).rm(file)));
    await run("/replay");
    expect(existsSync(join(home.workspace, "notes.txt"))).toBe(true);
    expect(existsSync(join(home.workspace, "other.txt"))).toBe(true);
    expect(await chat.store.messages(chat.conversationId)).toHaveLength(before);
  });

  it("asks for what a command needs, and says so for an unknown command", async () => {
    answers.push({ kind: "line", text: "Asked name" });
    await run("/rename");
    expect((await chat.conversation()).name).toBe("Asked name");
    await run("/frobnicate now");
    expect(output).toContain("Unknown command: /frobnicate (type /help to list the commands)\n");
  });
});
