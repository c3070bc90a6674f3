/**
 * The SDK's `Transport` over a process from an injected spawner: JSON-RPC messages one per line on
 * its stdin/stdout (the SDK's own framing), its stderr kept as the last lines for error messages.
 * The SDK's `StdioClientTransport` spawns by itself, which would bypass the conversation's sandbox.
 */
import { setTimeout as delay } from "node:timers/promises";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { ProcessExit, SpawnedProcess } from "./process-spawner.js";

/** How long a closing server may take after its stdin ends, then after SIGTERM, before SIGKILL. */
const closeGraceMilliseconds = 500;

export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  /** Set once the process is gone. */
  exit?: ProcessExit;
  readonly stderr = new StderrTail();
  private process?: SpawnedProcess;
  private readonly buffer = new ReadBuffer();
  private finished = false;
  private started = false;
  private markClosed: () => void = () => undefined;
  /** Resolves once the process is gone and its output was read. */
  readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(private readonly spawnProcess: () => SpawnedProcess | Promise<SpawnedProcess>) {}

  async start(): Promise<void> {
    if (this.process || this.finished || this.started) throw new Error("This transport was already started");
    this.started = true;
    const child = await this.spawnProcess();
    if (this.finished) {
      // Closed while the sandbox was starting it.
      child.kill("SIGKILL");
      return;
    }
    this.process = child;
    child.stdout.on("data", (chunk: Buffer) => {
      try {
        this.buffer.append(chunk);
      } catch (error) {
        // A message larger than the SDK's bound: nothing after it can be framed reliably.
        this.onerror?.(error as Error);
        void this.close();
        return;
      }
      this.readMessages();
    });
    child.stderr.on("data", (chunk: Buffer) => this.stderr.append(chunk.toString("utf8")));
    // A server that exits while we write gives EPIPE: its exit is what gets reported.
    child.stdin.on("error", () => undefined);
    child.stdout.on("error", (error: Error) => this.onerror?.(error));
    child.stderr.on("error", () => undefined);
    void child.exited.then(async (exit) => {
      // Its last words: what it wrote before exiting is read before anyone is told it is gone.
      await Promise.race([Promise.all([ended(child.stdout), ended(child.stderr)]), delay(closeGraceMilliseconds, undefined, { ref: false })]);
      this.exit = exit;
      this.process = undefined;
      this.finish();
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.process?.stdin;
    if (!stdin || stdin.destroyed) throw new Error("the server process is not running");
    if (!stdin.write(serializeMessage(message))) await new Promise<void>((resolve) => stdin.once("drain", resolve));
  }

  /** Ends the server's stdin, then signals it: TERM, then KILL, each after a grace period. */
  async close(): Promise<void> {
    const child = this.process;
    if (child) {
      child.stdin.end();
      const gone = child.exited.then(() => true);
      const waitForExit = () => Promise.race([gone, delay(closeGraceMilliseconds, false, { ref: false })]);
      if (!(await waitForExit())) {
        child.kill("SIGTERM");
        if (!(await waitForExit())) {
          child.kill("SIGKILL");
          await waitForExit();
        }
      }
      await this.closed;
    }
    this.buffer.clear();
    this.finish();
  }

  private readMessages(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        // A line that is not JSON-RPC (a server printing to stdout): reported, and reading goes on.
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.markClosed();
    this.onclose?.();
  }
}

/** The last lines a process wrote to stderr, bounded in lines and characters. */
export class StderrTail {
  private lines: string[] = [];
  private partial = "";

  constructor(
    private readonly maxLines = 20,
    private readonly maxCharacters = 4000,
  ) {}

  append(text: string): void {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    if (this.partial.length > this.maxCharacters) this.partial = this.partial.slice(-this.maxCharacters);
    this.lines.push(...parts);
    this.trim();
  }

  /** The last `count` lines (the unfinished one included), oldest first. */
  last(count = this.maxLines): string[] {
    const all = this.partial ? [...this.lines, this.partial] : [...this.lines];
    return all.filter((line) => line.trim() !== "").slice(-count);
  }

  private trim(): void {
    if (this.lines.length > this.maxLines) this.lines = this.lines.slice(-this.maxLines);
    let total = this.lines.reduce((sum, line) => sum + line.length, 0);
    while (total > this.maxCharacters && this.lines.length > 1) total -= this.lines.shift()!.length;
  }
}

function ended(stream: NodeJS.ReadableStream & { readableEnded?: boolean; destroyed?: boolean }): Promise<void> {
  if (stream.readableEnded || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", resolve);
  });
}
