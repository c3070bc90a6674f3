/**
 * A real `gptme-server` process on port 0 (so `/proc/<pid>/environ` holds what a real server's
 * does), and a conversation driver that scripts tool uses through the fake model server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { FakeModelServer } from "./fake-model-server.js";

const root = new URL("../..", import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** `fetch` with the token and JSON. */
  call(path: string, init?: { method?: string; json?: unknown }): Promise<Response>;
  stop(): Promise<void>;
}

export function startServerProcess(args: string[], env: Record<string, string>, token: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "adapters/node/main.ts"), "serve", "--port", "0", ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (!match) return;
      const url = match[1]!;
      resolve({
        child,
        url,
        output: () => output,
        call: (path, init = {}) =>
          fetch(`${url}${path}`, {
            method: init.method ?? (init.json === undefined ? "GET" : "POST"),
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: init.json === undefined ? undefined : JSON.stringify(init.json),
          }),
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          await exited;
        },
      });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

interface StoredMessage {
  role: string;
  content: string;
}

/**
 * One conversation of the server, driven step by step: each `use` makes the fake model answer with
 * the given tool block (auto-confirmed), then with a closing text, and returns the tool's output as
 * stored (what the model would read).
 */
export class ScriptedConversation {
  private sessionId = "";
  private steps = 0;

  constructor(
    private readonly server: ServerProcess,
    private readonly model: FakeModelServer,
    readonly id: string,
    private readonly chat: Record<string, unknown> = {},
  ) {}

  async open(): Promise<this> {
    const response = await this.server.call(`/api/v2/conversations/${this.id}`, {
      method: "PUT",
      json: { config: { chat: this.chat }, messages: [{ role: "user", content: "start" }] },
    });
    if (response.status !== 200) throw new Error(`PUT ${this.id}: ${response.status} ${await response.text()}`);
    this.sessionId = ((await response.json()) as { session_id: string }).session_id;
    return this;
  }

  async messages(): Promise<StoredMessage[]> {
    const response = await this.server.call(`/api/v2/conversations/${this.id}`);
    return ((await response.json()) as { log: StoredMessage[] }).log;
  }

  async workspace(): Promise<string> {
    const response = await this.server.call(`/api/v2/conversations/${this.id}`);
    return ((await response.json()) as { workspace: string }).workspace;
  }

  /** Runs one tool block (```<tool> <args>\n<content>\n```) and returns its stored output. */
  async use(tool: string, content: string, args = ""): Promise<string> {
    return (await this.useInOneGeneration([{ tool, content, args }]))[0]!;
  }

  /** One generation in which the model uses each block in turn (one reply each); returns their outputs. */
  async useInOneGeneration(blocks: Array<{ tool: string; content: string; args?: string }>): Promise<string[]> {
    const done = `step ${++this.steps} done`;
    await this.server.call(`/api/v2/conversations/${this.id}`, { json: { role: "user", content: `go ${this.steps}` } });
    this.model.enqueue(
      ...blocks.map(({ tool, content, args }) => {
        const fence = "`".repeat(Math.max(3, ...(content.match(/`+/g) ?? []).map((run) => run.length + 1)));
        return { text: `${fence}${tool}${args ? ` ${args}` : ""}\n${content}\n${fence}\n` };
      }),
      { text: done },
    );
    const step = await this.server.call(`/api/v2/conversations/${this.id}/step`, { json: { session_id: this.sessionId, auto_confirm: true } });
    if (step.status !== 200) throw new Error(`step: ${step.status} ${await step.text()}`);
    for (;;) {
      const log = await this.messages();
      const end = log.findIndex((message) => message.role === "assistant" && message.content === done);
      if (end > 0) {
        const outputs = log.slice(0, end).filter((message) => message.role === "system").slice(-blocks.length);
        return outputs.map((message) => message.content);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
