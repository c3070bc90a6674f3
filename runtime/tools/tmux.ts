/** `tmux`: long-running and interactive programs in tmux sessions named `gptme_N`, as gptme runs them. */
import { setTimeout as delay } from "node:timers/promises";
import { z } from "zod";
import { defineTool } from "./define-tool.js";
import { hasProgram } from "./executables.js";
import { fence, pythonList } from "./formatting.js";
import { truncateLines } from "./output-storage.js";
import { TmuxClient } from "./tmux-client.js";
import { sessionName, shellWords, splitTmuxCommands } from "./tmux-commands.js";
import type { ToolContext } from "./tool.js";

export interface TmuxToolOptions {
  /** A named tmux server (`tmux -L <name>`); defaults to `GPTME_TMUX_SOCKET`, else the default one (with `none`: the user's). */
  socketName?: string;
  /** How long to let a program draw before capturing its pane (gptme: 1 s). */
  settleMilliseconds?: number;
  /** `wait` polling interval (gptme: 0.5 s). */
  pollMilliseconds?: number;
}

const parameters = z.object({
  command: z.string().trim().min(1, "No command provided").describe("The command and arguments to execute."),
});

/** Panes over 200 lines keep the first 50 and the last 150 (recent output matters most). */
function truncatePane(content: string, context: ToolContext): Promise<string> {
  return truncateLines(content, 50, 150, context.sandbox.outputs, "tmux");
}

class TmuxActions {
  constructor(
    private readonly tmux: TmuxClient,
    private readonly settleMilliseconds: number,
    private readonly pollMilliseconds: number,
    private readonly context: ToolContext,
  ) {}

  async newSession(command: string): Promise<string> {
    let id = "";
    for (let attempt = 0; ; attempt++) {
      const numbers = (await this.tmux.sessions())
        .map((name) => /^gptme_(\d+)$/.exec(name)?.[1])
        .filter((number): number is string => number !== undefined)
        .map(Number);
      id = `gptme_${Math.max(0, ...numbers) + 1 + attempt}`;
      const created = await this.tmux.run(["new-session", "-d", "-s", id, "-x", "120", "-y", "40", "-c", this.context.workspace, "bash"]);
      if (created.code === 0) break;
      if (attempt === 4) throw new Error(`tmux new-session failed: ${created.stderr.trim()}`);
    }
    await this.tmux.check(["resize-window", "-t", id, "-x", "120", "-y", "40"]);
    await this.untilPaneShowsSomething(id);
    await this.tmux.check(["send-keys", "-t", id, "-l", "--", command]);
    await this.tmux.check(["send-keys", "-t", id, "Enter"]);
    await delay(this.settleMilliseconds, undefined, { signal: this.context.signal }).catch(() => {});
    const output = await truncatePane(await this.tmux.capturePane(id), this.context);
    const shown = /^'[^']*'$/.test(command) ? command.slice(1, -1) : command;
    return `Running \`${shown}\` in session ${id}.\n${fence("output", output)}`;
  }

  /** Typing before bash has drawn its prompt makes the pane echo the command twice. */
  private async untilPaneShowsSomething(id: string): Promise<void> {
    const deadline = performance.now() + 10_000;
    while (performance.now() < deadline && (await this.tmux.capturePane(id)) === "") await delay(20);
  }

  async sendKeys(rawPane: string, keys: string): Promise<string> {
    const pane = sessionName(rawPane);
    let keyArgs: string[];
    try {
      keyArgs = shellWords(keys);
    } catch {
      keyArgs = [keys];
    }
    const sent = await this.tmux.run(["send-keys", "-t", pane, ...keyArgs]);
    if (sent.code !== 0) return `Failed to send keys to tmux pane \`${pane}\`: ${sent.stderr.trim()}`;
    await delay(this.settleMilliseconds, undefined, { signal: this.context.signal }).catch(() => {});
    const output = await truncatePane(await this.tmux.capturePane(pane), this.context);
    return `Sent '${keys}' to pane \`${pane}\`\n${fence("output", output)}`;
  }

  async inspectPane(pane: string): Promise<string> {
    const output = await truncatePane(await this.tmux.capturePane(pane), this.context);
    return `Pane content:\n${fence("output", output)}`;
  }

  async killSession(rawId: string): Promise<string> {
    const id = sessionName(rawId);
    const killed = await this.tmux.run(["kill-session", "-t", id]);
    if (killed.code !== 0) return `Failed to kill tmux session with ID ${id}: ${killed.stderr.trim()}`;
    return `Killed tmux session with ID ${id}`;
  }

  async listSessions(): Promise<string> {
    return `Active tmux sessions: ${pythonList(await this.tmux.sessions())}`;
  }

  /** Polls until the pane has not changed for `stableSeconds`, or `timeoutSeconds` pass. */
  async wait(rawId: string, timeoutSeconds: number, stableSeconds: number): Promise<string> {
    const id = sessionName(rawId);
    const start = performance.now();
    let last: string | undefined;
    let lastChange = start;
    for (;;) {
      const elapsed = (performance.now() - start) / 1000;
      const current = await this.tmux.capturePane(id);
      if (current !== last) {
        last = current;
        lastChange = performance.now();
      }
      const stable = (performance.now() - lastChange) / 1000;
      if (stable >= stableSeconds) {
        const output = await truncatePane(current, this.context);
        return `Session \`${id}\` output stabilized after ${elapsed.toFixed(1)}s (stable for ${stable.toFixed(1)}s).\n${fence("output", output)}`;
      }
      if (elapsed >= timeoutSeconds || this.context.signal.aborted) {
        const output = await truncatePane(current, this.context);
        const why = this.context.signal.aborted ? "was interrupted" : `timed out after ${timeoutSeconds}s`;
        return (
          `Session \`${id}\` ${why} (output still changing).\n${fence("output", output)}\n` +
          `Session still active. Use \`kill-session ${id}\` to terminate or \`send-keys ${id} C-c\` to interrupt.`
        );
      }
      await delay(this.pollMilliseconds, undefined, { signal: this.context.signal }).catch(() => {});
    }
  }

  async runOne(line: string): Promise<string> {
    const [command, rest = ""] = splitOnce(line);
    if (command === "list-sessions") return this.listSessions();
    if (rest === "") return `Error: Missing arguments for command: ${command}`;
    switch (command) {
      case "new-session":
        return this.newSession(rest);
      case "send-keys": {
        const [pane, keys = ""] = splitOnce(rest);
        if (keys === "") return "Error: send-keys requires both pane_id and keys arguments";
        return this.sendKeys(pane, keys);
      }
      case "inspect-pane":
        return this.inspectPane(rest);
      case "kill-session":
        return this.killSession(rest);
      case "wait": {
        const [id, timeout = "60", stable = "3"] = rest.split(/\s+/);
        if (!/^-?\d+$/.test(timeout) || !/^-?\d+$/.test(stable)) return "Error: wait timeout and stable time must be integers";
        return this.wait(id, Number(timeout), Number(stable));
      }
      default:
        return `Error: Unknown command: ${command}`;
    }
  }
}

/** Python's `str.split(maxsplit=1)`. */
function splitOnce(text: string): [string, string?] {
  const match = /^\s*(\S+)(?:\s+([\s\S]*?))?\s*$/.exec(text);
  if (!match) return [""];
  return match[2] === undefined ? [match[1]] : [match[1], match[2]];
}

export function createTmuxTool(options: TmuxToolOptions = {}) {
  const socketName = options.socketName ?? (process.env.GPTME_TMUX_SOCKET || undefined);
  return defineTool({
    name: "tmux",
    description: "Executes shell commands in a tmux session",
    instructions: `You can use the tmux tool to run long-lived and/or interactive applications in a tmux session.

### When to use tmux

Use tmux for interactive applications requiring ongoing keyboard input or output
inspection: REPLs, TUIs, interactive installers, dev servers and other persistent processes you
need to revisit.

Commands (one per line): \`new-session <command>\`, \`send-keys <session> <keys>\` (e.g. \`C-c\`, \`Enter\`),
\`inspect-pane <session>\`, \`kill-session <session>\`, \`list-sessions\`,
\`wait <session> [timeout=60] [stable_time=3]\` to wait until the output stops changing.`,
    examples: [
      { role: "user", content: "Start the dev server" },
      { role: "assistant", content: "Certainly! To start the dev server we should use tmux:", toolUse: { args: [], content: "new-session npm run dev" } },
      { role: "system", content: "Running `npm run dev` in session gptme_1." },
      { role: "user", content: "Can you show me the current content of the pane?" },
      { role: "assistant", content: "Of course! Let's inspect the pane content:", toolUse: { args: [], content: "inspect-pane gptme_1" } },
      { role: "system", content: `Pane content:\n${fence("output", "Server is running on localhost:5600")}` },
      { role: "user", content: "Stop the dev server" },
      { role: "assistant", content: "I'll send 'Ctrl+C' to the pane to stop the server:", toolUse: { args: [], content: "send-keys gptme_1 C-c" } },
      { role: "system", content: "Sent 'C-c' to pane `gptme_1`" },
      { role: "user", content: "Run a build and wait for it to finish" },
      { role: "assistant", content: "I'll start the build in tmux:", toolUse: { args: [], content: "new-session npm run build" } },
      { role: "system", content: "Running `npm run build` in session gptme_2." },
      { role: "assistant", content: "Now let's wait for the build to finish:", toolUse: { args: [], content: "wait gptme_2 120" } },
      { role: "system", content: `Session \`gptme_2\` output stabilized after 45.2s (stable for 3.0s).\n${fence("output", "...build output...\nBuild completed successfully!")}` },
    ],
    blockTypes: ["tmux"],
    parameters,
    isAvailable: () => hasProgram("tmux"),
    fromBlock: (_args, content) => ({ command: content.trim() }),
    toBlock: ({ command }) => ({ args: [], content: command }),
    async execute({ command }, context) {
      const tmux = new TmuxClient(context.sandbox, socketName);
      const actions = new TmuxActions(tmux, options.settleMilliseconds ?? 1000, options.pollMilliseconds ?? 500, context);
      const outputs: string[] = [];
      for (const line of splitTmuxCommands(command)) outputs.push(await actions.runOne(line));
      return outputs.join("\n\n");
    },
  });
}
