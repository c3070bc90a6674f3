/** Wire schemas shared by every route: ids, errors, status bodies. */
import { z } from "zod";

const encoder = new TextEncoder();
const nonPrintable = /(?! )[\p{C}\p{Z}]/u;

/**
 * gptme HEAD's id rules: non-empty, trimmed, ≤255 bytes, not `.`, no `/`, `\`, `..`, and only
 * printable characters in Python's sense (no Unicode "Other" or "Separator" but the space): so no
 * C0/C1 controls, nor the bidi controls that make an id display as another.
 */
export function isSafeIdentifier(value: string, maxBytes = 255): boolean {
  if (value.length === 0 || value !== value.trim()) return false;
  if (encoder.encode(value).byteLength > maxBytes) return false;
  if (value === "." || value.includes("..") || value.includes("/") || value.includes("\\")) return false;
  return !nonPrintable.test(value);
}

/** gptme's two messages: "<name> too long" past the byte limit, else "Invalid <name>". */
const tooLong = (value: string, maxBytes: number) => encoder.encode(value).byteLength > maxBytes;

export const ConversationId = z
  .string()
  .refine((value) => !tooLong(value, 255), { message: "conversation_id too long", abort: true })
  .refine((value) => isSafeIdentifier(value), { message: "Invalid conversation_id" })
  .describe("Conversation id: printable, no `/`, `\\`, `..`; at most 255 bytes");

export const BranchName = z
  .string()
  .refine((value) => !tooLong(value, 249), { message: "branch name too long", abort: true })
  .refine((value) => isSafeIdentifier(value, 249), { message: "Invalid branch name" })
  .describe("Branch name (default `main`)");

export const ConversationParams = z.object({ id: ConversationId });

export const ErrorBody = z.object({ error: z.string() }).describe("Every error response");

export const StatusOk = z.object({ status: z.literal("ok") });

export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "Bad request (malformed JSON, wrong types, invalid id)",
    401: "Missing or invalid token",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Body too large",
    502: "The model provider failed (the generation's error)",
    503: "No model provider configured",
  };
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: descriptions[status] ?? "Error", content: { "application/json": { schema: ErrorBody } } },
    ]),
  );
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
