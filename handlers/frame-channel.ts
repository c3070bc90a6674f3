/**
 * An event stream's frames, written by a pure handler and carried either as a web ReadableStream
 * (the fetch-style path, any runtime) or, when the Node adapter claims the channel, straight to the
 * socket, with no stream layers between. Either way the frames written in one tick go out together:
 * the stream path gathers them for one enqueue; on the socket, Node corks a response's writes until
 * the tick ends, so each frame is handed over as it comes. The handler does not know which; it
 * writes text and awaits `drained()` for backpressure.
 */

/** What the Node adapter gives a claimed channel: the socket's write, end and backpressure. */
export interface FrameSink {
  /** False when the socket's buffer is full (wait for `onDrain`). */
  write(text: string): boolean;
  end(): void;
  onDrain(callback: () => void): void;
}

/** By body: middleware may copy the response (Hono does, to add headers), the body stays the same object. */
const channels = new WeakMap<ReadableStream, FrameChannel>();
const channelsByResponse = new WeakMap<Response, FrameChannel>();

/**
 * The channel behind a response made by `FrameChannel.response`, for an adapter to claim. Asked of
 * every response, so it looks the response itself up first and reads `body` only for an event
 * stream that a middleware made anew (keeping the body): reading `body` of @hono/node-server's
 * lightweight Response turns it into a full one, off the fast path that writes a string body
 * directly (measured: about 60% more server CPU for a small JSON answer).
 */
export function frameChannelOf(response: Response): FrameChannel | undefined {
  const channel = channelsByResponse.get(response);
  if (channel) return channel;
  if (!response.headers.get("content-type")?.startsWith("text/event-stream")) return undefined;
  return response.body ? channels.get(response.body) : undefined;
}

const encoder = new TextEncoder();
/**
 * Flushes are scheduled on this settled promise rather than with queueMicrotask, which Node wraps in
 * an AsyncResource per call: a cost paid on every token of every stream.
 */
const settled = Promise.resolve();
const unreadFlushLimit = 16;

export class FrameChannel {
  private pending = "";
  private flushScheduled = false;
  private sink: FrameSink | null = null;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private reading = false;
  private closed = false;
  private aborted = false;
  private readonly abortCallbacks: Array<() => void> = [];
  private full = false;
  private drainWaiters: Array<() => void> = [];

  /** The response to return from the handler; its body is used only when no adapter claims the channel. */
  response(headers: Record<string, string>): Response {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
      // Called only when a reader asks (high-water mark 0): until then an adapter may still claim
      // the channel, so nothing is enqueued before.
      pull: () => {
        this.reading = true;
        this.flush();
        if (this.closed && !this.pending && this.controller) {
          try {
            this.controller.close();
          } catch {
            // Already closed.
          }
        }
        this.full = false;
        this.releaseWaiters();
      },
      cancel: () => this.abort(),
    }, { highWaterMark: 0 });
    channels.set(body, this);
    const response = new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream", ...headers } });
    channelsByResponse.set(response, this);
    return response;
  }

  /** Called by the adapter instead of reading the body: from now on frames go to `sink`. */
  claim(sink: FrameSink): void {
    this.sink = sink;
    this.controller = null;
    sink.onDrain(() => {
      this.full = false;
      this.releaseWaiters();
    });
    if (this.pending) this.flush();
    if (this.closed) sink.end();
  }

  write(text: string): void {
    if (this.closed || this.aborted) return;
    if (this.sink && !this.pending) {
      if (!this.sink.write(text)) this.full = true;
      return;
    }
    this.pending += text;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      void settled.then(() => this.flush());
    }
  }

  /** The client is behind: writes are kept, but a writer should wait for `drained()`. */
  get backedUp(): boolean {
    return this.full && !this.aborted;
  }

  /** Resolves at once unless the client is behind (the socket's or the stream's buffer is full). */
  drained(): Promise<void> {
    if (!this.full || this.aborted) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  onAbort(callback: () => void): void {
    if (this.aborted) callback();
    else this.abortCallbacks.push(callback);
  }

  /** The client went away. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.releaseWaiters();
    for (const callback of this.abortCallbacks.splice(0)) callback();
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.sink) this.sink.end();
    // Not yet read: the next pull sends what is pending, then closes.
    else if (this.controller && !this.aborted && !this.pending) {
      try {
        this.controller.close();
      } catch {
        // Already cancelled by the reader.
      }
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.pending || this.aborted) return;
    if (this.sink) {
      const text = this.pending;
      this.pending = "";
      if (!this.sink.write(text)) this.full = true;
    } else if (this.controller && this.reading) {
      const text = this.pending;
      this.pending = "";
      this.controller.enqueue(encoder.encode(text));
      // More than a few flushes the reader has not taken: it is behind.
      if ((this.controller.desiredSize ?? 0) < -unreadFlushLimit) this.full = true;
    }
    // Neither yet: kept until the adapter claims the channel or the body is read.
  }

  private releaseWaiters(): void {
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}
