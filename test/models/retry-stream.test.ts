/**
 * The retrying stream's own bookkeeping on the caller's signal (the adapters' tests drive it through
 * the real SDKs; here the attempts are plain iterables, so only its listeners are on the signal).
 */
import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import type { ModelPart } from "../../runtime/models/model.js";
import { streamWithRetries } from "../../runtime/models/retry.js";

async function* parts(texts: string[], failAfter?: string): AsyncGenerator<ModelPart> {
  for (const text of texts) {
    yield { type: "text-delta", text };
    if (text === failAfter) throw new Error("overloaded");
  }
}

function stream(signal: AbortSignal, attempt: () => AsyncIterable<ModelPart>) {
  return streamWithRetries({
    modelId: "test/model",
    signal,
    attempt,
    classify: (error) => ({ kind: "stream", message: String(error), retryable: false }),
  });
}

describe("streamWithRetries", () => {
  it("leaves no listener on a signal that outlives its replies, however each ends", async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    for await (const _ of stream(signal, () => parts(["a", "b"]))) void _;
    for await (const _ of stream(signal, () => parts(["a", "b"]))) break;
    await expect(
      (async () => {
        for await (const _ of stream(signal, () => parts(["a", "b"], "a"))) void _;
      })(),
    ).rejects.toThrow("overloaded");
    await expect(stream(signal, () => parts([], undefined)).next()).resolves.toMatchObject({ done: true });
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  it("ends with AbortError at the next part once the signal aborts, and stops listening", async () => {
    const controller = new AbortController();
    const iterator = stream(controller.signal, () => parts(["a", "b", "c"]));
    await expect(iterator.next()).resolves.toMatchObject({ value: { text: "a" } });
    controller.abort();
    await expect(iterator.next()).rejects.toMatchObject({ name: "AbortError" });
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});
