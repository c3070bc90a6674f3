/** Small builders shared by the model tests. */
import type { ModelPart } from "../../runtime/models/model.js";
import type { Message } from "../../runtime/store/types.js";

export function message(role: Message["role"], content: string, extra: Partial<Message> = {}): Message {
  return { role, content, timestamp: "2025-12-01T10:00:00.000000", ...extra };
}

export async function collect(parts: AsyncIterable<ModelPart>): Promise<ModelPart[]> {
  const collected: ModelPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

export function textOf(parts: ModelPart[]): string {
  return parts.map((part) => (part.type === "text-delta" ? part.text : "")).join("");
}

/** Settles with the error the iterable ends with (fails the test if it ends normally). */
export async function failureOf(parts: AsyncIterable<ModelPart>): Promise<Error & Record<string, unknown>> {
  try {
    await collect(parts);
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the reply stream to fail, but it ended normally");
}

export const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
