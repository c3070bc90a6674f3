/**
 * Ctrl-C during a reply or a tool interrupts it, and a later /exit or Ctrl-D still ends with 0, also
 * for the programs around gptme. `npx gptme` runs it under `sh -c`; in a terminal's normal mode the
 * kernel sends Ctrl-C's SIGINT to that shell too, and dash dies of it once gptme ends: the chat
 * went on, but the run ended with 130 and `bash -c 'gptme; echo done'` never reached `echo`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** `bash -c 'sh -c "gptme ..."; echo ...'`: gptme under the `sh -c` that npx uses, in a script that goes on after it. */
function startWrappedChat(): TmuxSession {
  const gptme = [process.execPath, "--import", tsxLoader, programs.gptme, "-m", "local/fake"].map(quote).join(" ");
  const script = `sh -c ${quote(gptme)}; echo "gptme ended: $?"; echo done`;
  session = TmuxSession.start({ directory: home.root, cwd: home.workspace, env: home.env, command: ["bash", "-c", script] });
  return session;
}

const atPrompt = (screen: string) => screen.trimEnd().split("\n").at(-1)!.trim() === "User:";

describe.skipIf(!tmuxAvailable())("leaving after an interrupt", () => {
  it("Ctrl-C stops a running tool; /exit then ends with 0 and the script after gptme goes on", async () => {
    server.enqueue({ text: "```shell\nsleep 30\n```\n" });
    const chat = startWrappedChat();
    await chat.waitFor(atPrompt);
    chat.typeLine("run a slow command");
    await chat.waitFor("[Y/n/e/a/?]");
    chat.typeLine("y");
    await chat.waitFor("Running shell");
    chat.press("C-c");
    await chat.waitFor((text) => text.includes("Interrupted") && atPrompt(text));
    chat.typeLine("/exit");
    await chat.waitFor("gptme ended: 0\ndone");
    expect(await chat.exitCode()).toBe(0);
  }, 120_000);

  it("Ctrl-C stops a reply; Ctrl-D then ends with 0 and the script after gptme goes on", async () => {
    server.enqueue({ text: "Let me think about it", hang: true });
    const chat = startWrappedChat();
    await chat.waitFor(atPrompt);
    chat.typeLine("think hard");
    await chat.waitFor("Let me think about it");
    chat.press("C-c");
    await chat.waitFor((text) => text.includes("Interrupted") && atPrompt(text));
    chat.press("C-d");
    await chat.waitFor("gptme ended: 0\ndone");
    expect(await chat.exitCode()).toBe(0);
  }, 120_000);

  it("text typed while the agent works is neither lost nor sent early: it waits at the next prompt", async () => {
    // The third reply names the conversation.
    server.enqueue({ text: "```shell\nwhile [ ! -e go ]; do sleep 0.1; done\n```\n" }, { text: "Waited." }, { text: "Waiting" }, { text: "Got it." });
    const chat = startWrappedChat();
    await chat.waitFor(atPrompt);
    chat.typeLine("wait for the file");
    await chat.waitFor("[Y/n/e/a/?]");
    chat.typeLine("y");
    await chat.waitFor("Running shell");
    chat.press("-l", "typed ahead");
    writeFileSync(join(home.workspace, "go"), "");
    await chat.waitFor((text) => text.includes("Waited.") && text.trimEnd().endsWith("User: typed ahead"));
    chat.press("Enter");
    await chat.waitFor("Got it.");
    const lastRequest = server.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> };
    expect(JSON.stringify(lastRequest.messages.at(-1))).toContain("typed ahead");
    chat.press("C-d");
    await chat.waitFor("gptme ended: 0\ndone");
  }, 120_000);
});
