/** Waiting that an interrupt can cut short, even when what is awaited ignores the signal. */

export const ABORTED: unique symbol = Symbol("aborted");

/** Resolves with the promise's value, or with ABORTED as soon as `signal` aborts. */
export function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(ABORTED);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * `unlessAborted` for a loop that waits many times on one signal (a reply's stream, once per
 * chunk): one abort listener for all the waits instead of an add and a remove per wait, which cost
 * more than the rest of a chunk's handling. `dispose` unhooks it.
 */
export function abortableWaits(signal: AbortSignal): { wait<T>(promise: Promise<T>): Promise<T | typeof ABORTED>; dispose(): void } {
  let current: ((value: typeof ABORTED) => void) | null = null;
  const onAbort = () => {
    current?.(ABORTED);
    current = null;
  };
  signal.addEventListener("abort", onAbort, { once: true });
  return {
    wait<T>(promise: Promise<T>): Promise<T | typeof ABORTED> {
      if (signal.aborted) {
        promise.catch(() => undefined);
        return Promise.resolve(ABORTED);
      }
      return new Promise<T | typeof ABORTED>((resolve, reject) => {
        current = resolve as (value: typeof ABORTED) => void;
        promise.then(
          (value) => {
            current = null;
            resolve(value);
          },
          (error: unknown) => {
            current = null;
            reject(error);
          },
        );
      });
    },
    dispose: () => signal.removeEventListener("abort", onAbort),
  };
}

/** An AbortController that also aborts when `parent` does; `dispose` unhooks it. */
export function linkedAbortController(parent: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener("abort", onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener("abort", onAbort) };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
