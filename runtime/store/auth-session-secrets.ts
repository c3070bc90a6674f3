/**
 * How a sign-in session is kept without keeping its secrets: a SHA-256 of the session id (the
 * cookie value) and an HMAC of the id keyed by the token, so neither can be read back from the
 * database, and a session made under another token never verifies. Shared by every store.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const newSessionId = (): string => randomBytes(32).toString("base64url");
export const sessionIdHash = (id: string): string => createHash("sha256").update(id).digest("hex");
export const tokenBinding = (id: string, token: string): string => createHmac("sha256", token).update(id).digest("hex");

/** Constant-time: does the stored binding belong to `id` under `token`? */
export function bindingMatches(stored: string, id: string, token: string): boolean {
  const storedBytes = Buffer.from(stored, "hex");
  const expected = Buffer.from(tokenBinding(id, token), "hex");
  return storedBytes.length === expected.length && timingSafeEqual(storedBytes, expected);
}
