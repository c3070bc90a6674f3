/** Reads an SSE response into frames and waits for the ones a test expects (with a deadline, never a sleep). */

export interface SseFrame {
  id?: string;
  data: Record<string, unknown> & { type?: string };
  raw: string;
}

export class SseReader {
  readonly frames: SseFrame[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  private ended = false;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly done: Promise<void>;

  constructor(response: Response) {
    if (!response.body) throw new Error("response has no body");
    this.reader = response.body.getReader();
    this.done = this.pump();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf("\n\n")) !== -1) {
          const raw = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const frame = parseFrame(raw);
          if (frame) this.frames.push(frame);
        }
        this.notify();
      }
    } catch {
      // cancelled
    } finally {
      this.ended = true;
      this.notify();
    }
  }

  private notify() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** The next frame (after the previous match) satisfying `predicate`. */
  async next(predicate: (frame: SseFrame) => boolean, timeoutMs = 10_000): Promise<SseFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++]!;
        if (predicate(frame)) return frame;
      }
      if (this.ended) throw new Error(`stream ended before the expected event; saw: ${this.types().join(", ")}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out waiting for an event; saw: ${this.types().join(", ")}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  nextType(type: string, timeoutMs?: number): Promise<SseFrame> {
    return this.next((frame) => frame.data.type === type, timeoutMs);
  }

  types(): string[] {
    return this.frames.map((frame) => String(frame.data.type ?? (frame.data.error ? "error" : "?")));
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
    await this.done;
  }
}

function parseFrame(raw: string): SseFrame | null {
  let id: string | undefined;
  const data: string[] = [];
  for (const line of raw.split("\n")) {
    if (line.startsWith("id:")) id = line.slice(3).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length === 0) return null;
  return { id, data: JSON.parse(data.join("\n")) as SseFrame["data"], raw };
}
