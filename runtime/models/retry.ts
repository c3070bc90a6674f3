/** Retrying a reply stream with exponential backoff, but only until its first part was yielded. */
import { abortError, ModelRequestError, type Failure } from "./errors.js";
import type { ModelPart } from "./model.js";

export interface RetryOptions {
  /** Attempts in total, the first included (default 3). */
  attempts?: number;
  /** Delay before the second attempt; doubled for each further one (default 500 ms). */
  baseDelayMs?: number;
  /** Upper bound of one delay, also for a provider's `Retry-After` (default 30 s). */
  maxDelayMs?: number;
}

export const defaultRetryOptions: Required<RetryOptions> = { attempts: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface RetryingStreamOptions {
  modelId: string;
  signal?: AbortSignal;
  retry?: RetryOptions;
  /** Runs one attempt: the SDK call and the conversion of its reply to parts. */
  attempt: () => AsyncIterable<ModelPart>;
  classify: (error: unknown) => Failure;
  /** Appended to authentication failures, e.g. "check OPENAI_API_KEY". */
  authenticationHint?: string;
}

/**
 * Yields the parts of one successful attempt. A retryable failure before the first part starts a
 * new attempt after a backoff; after the first part, retrying would repeat text the caller already
 * has, so the failure ends the stream. Ends with `AbortError` when the signal is aborted.
 */
export function streamWithRetries(options: RetryingStreamOptions): AsyncIterableIterator<ModelPart> {
  return new RetryingStream(options);
}

/**
 * Written as an iterator, not an async generator: after the first part every `next()` is the
 * attempt's own, passed through with one `then`, instead of a generator's promises on every token.
 */
class RetryingStream implements AsyncIterableIterator<ModelPart> {
  private readonly retry: Required<RetryOptions>;
  private inner: AsyncIterator<ModelPart> | null = null;
  private attempts = 0;
  private yielded = false;
  private finished = false;
  /**
   * The signal's state, kept by a listener: every part checks it, and `AbortSignal.aborted` is a
   * getter that checks its receiver's brand first (about 1 us per token of every stream, profiled).
   */
  private aborted: boolean;

  /** Made once: two closures less per token. */
  private readonly settleBound = (result: IteratorResult<ModelPart>) => this.settle(result);
  private readonly failureBound = (error: unknown) => this.failure(error);
  private readonly onAbort = () => {
    this.aborted = true;
  };

  constructor(private readonly options: RetryingStreamOptions) {
    this.retry = { ...defaultRetryOptions, ...options.retry };
    this.aborted = options.signal?.aborted ?? false;
    if (!this.aborted) options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ModelPart> {
    return this;
  }

  next(): Promise<IteratorResult<ModelPart>> {
    if (this.finished || (this.yielded && !this.inner)) return Promise.resolve({ done: true, value: undefined });
    if (this.yielded) {
      return this.inner!.next().then(this.settleBound, this.failureBound);
    }
    return this.firstPart();
  }

  async return(): Promise<IteratorResult<ModelPart>> {
    const inner = this.inner;
    this.finish();
    await inner?.return?.();
    return { done: true, value: undefined };
  }

  /** Attempts until one yields its first part (or ends, or fails for good). */
  private async firstPart(): Promise<IteratorResult<ModelPart>> {
    for (;;) {
      try {
        if (this.aborted) throw abortError();
        if (!this.inner) {
          this.attempts += 1;
          this.inner = this.options.attempt()[Symbol.asyncIterator]();
        }
        const result = await this.inner.next();
        if (!result.done) this.yielded = true;
        return this.settle(result);
      } catch (error) {
        this.inner = null;
        const failure = this.options.classify(error);
        if (this.aborted || failure.kind === "abort") return this.end(abortError());
        if (this.yielded || !failure.retryable || this.attempts >= this.retry.attempts) {
          return this.end(toModelRequestError(failure, { ...this.options, attempts: this.attempts, yielded: this.yielded, cause: error }));
        }
        const backoff = this.retry.baseDelayMs * 2 ** (this.attempts - 1);
        const requested = failure.kind === "http" ? (failure.retryAfterMs ?? 0) : 0;
        try {
          await sleep(Math.min(Math.max(backoff, requested), this.retry.maxDelayMs), this.options.signal);
        } catch (error) {
          return this.end(error);
        }
      }
    }
  }

  private settle(result: IteratorResult<ModelPart>): IteratorResult<ModelPart> {
    // The SDKs end an aborted stream quietly instead of throwing, and the attempt then yields its
    // closing parts (finish, usage) as if the reply were whole: after an abort, nothing more is a part.
    if (this.aborted) {
      this.finish();
      throw abortError();
    }
    if (!result.done) return result;
    this.finish();
    return result;
  }

  /** A failure after the first part: never retried. */
  private failure(error: unknown): never {
    this.inner = null;
    const failure = this.options.classify(error);
    if (this.aborted || failure.kind === "abort") this.end(abortError());
    this.end(toModelRequestError(failure as Exclude<Failure, { kind: "abort" }>, { ...this.options, attempts: this.attempts, yielded: true, cause: error }));
  }

  private end(error: unknown): never {
    this.finish();
    throw error;
  }

  /** No more parts: the listener goes too (a caller's signal may outlive many replies). */
  private finish(): void {
    this.finished = true;
    this.inner = null;
    this.options.signal?.removeEventListener("abort", this.onAbort);
  }
}

function toModelRequestError(
  failure: Exclude<Failure, { kind: "abort" }>,
  context: { modelId: string; attempts: number; yielded: boolean; cause: unknown; authenticationHint?: string },
): ModelRequestError {
  const after = context.attempts > 1 ? ` after ${context.attempts} attempts` : "";
  let message: string;
  if (failure.kind === "http") {
    const hint = (failure.status === 401 || failure.status === 403) && context.authenticationHint;
    message = `${context.modelId}: HTTP ${failure.status} from the provider${after}: ${failure.message}${hint ? ` (${hint})` : ""}`;
  } else if (failure.kind === "connection") {
    message = `${context.modelId}: could not reach the provider${after}: ${failure.message}`;
  } else if (failure.kind === "stream" || context.yielded) {
    message = `${context.modelId}: the reply stream failed: ${failure.message}`;
  } else {
    message = `${context.modelId}: ${failure.message}`;
  }
  return new ModelRequestError(message, {
    modelId: context.modelId,
    status: failure.kind === "http" ? failure.status : undefined,
    retryable: failure.retryable,
    attempts: context.attempts,
    cause: context.cause,
  });
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
