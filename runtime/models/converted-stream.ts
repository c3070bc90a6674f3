/**
 * A provider's chunk stream read as parts, written as an iterator rather than an async generator:
 * each `next()` is the SDK stream's own, converted in one `then`, where a generator added its own
 * promise, await and result object on every token of every reply.
 */
import type { ModelPart } from "./model.js";

/** Turns chunks into parts synchronously (e.g. `ChunkConverter`). */
export interface PartConverter<Chunk> {
  /** The parts a chunk completes, often none or one. */
  push(chunk: Chunk): ModelPart[];
  /** The parts that close the reply (usage, finish), once the chunks have ended. */
  end(): ModelPart[];
}

export class ConvertedStream<Chunk> implements AsyncIterableIterator<ModelPart> {
  private source: AsyncIterator<Chunk> | null = null;
  private queued: ModelPart[] = [];
  private nextQueued = 0;
  private ended = false;
  private readonly onChunk = (result: IteratorResult<Chunk>): IteratorResult<ModelPart> | Promise<IteratorResult<ModelPart>> => {
    if (result.done) {
      this.ended = true;
      this.source = null;
      this.queued = this.converter.end();
      this.nextQueued = 0;
      return this.takeQueued();
    }
    const parts = this.converter.push(result.value);
    if (parts.length === 0) return this.read();
    if (parts.length > 1) {
      this.queued = parts;
      this.nextQueued = 1;
    }
    return { done: false, value: parts[0]! };
  };

  /** `open` makes the request; it runs on the first `next()`. */
  constructor(
    private readonly open: () => Promise<AsyncIterable<Chunk>>,
    private readonly converter: PartConverter<Chunk>,
  ) {}

  [Symbol.asyncIterator](): AsyncIterableIterator<ModelPart> {
    return this;
  }

  next(): Promise<IteratorResult<ModelPart>> {
    if (this.nextQueued < this.queued.length) return Promise.resolve(this.takeQueued());
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    if (this.source) return this.read();
    return this.open().then((chunks) => {
      this.source = chunks[Symbol.asyncIterator]();
      return this.read();
    });
  }

  /** Stops reading: the SDK's stream closes its request. */
  async return(): Promise<IteratorResult<ModelPart>> {
    this.ended = true;
    this.queued = [];
    const source = this.source;
    this.source = null;
    await source?.return?.();
    return { done: true, value: undefined };
  }

  private read(): Promise<IteratorResult<ModelPart>> {
    if (!this.source) return Promise.resolve({ done: true, value: undefined });
    return this.source.next().then(this.onChunk);
  }

  private takeQueued(): IteratorResult<ModelPart> {
    if (this.nextQueued >= this.queued.length) {
      this.queued = [];
      this.nextQueued = 0;
      return { done: true, value: undefined };
    }
    return { done: false, value: this.queued[this.nextQueued++]! };
  }
}
