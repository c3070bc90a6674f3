/**
 * Auth sessions in the SQLite database: the table holds a SHA-256 of each session id and an
 * HMAC of the id keyed by the token, so neither the cookie value nor the token can be read back
 * from the file, and a session made under another token never verifies.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database, Statement } from "better-sqlite3";
import type { AuthSessionStore } from "../auth-sessions.js";

const nowSeconds = (): number => Date.now() / 1000;
const hashOf = (id: string): string => createHash("sha256").update(id).digest("hex");
const bindingOf = (id: string, token: string): Buffer => createHmac("sha256", token).update(id).digest();

export class SqliteAuthSessionStore implements AuthSessionStore {
  private readonly insert: Statement<[string, string, number, number]>;
  private readonly select: Statement<[string], { token_binding: string; expires: number }>;
  private readonly remove: Statement<[string]>;
  private readonly removeExpired: Statement<[number]>;

  /** `database` has been migrated (see `openDatabase`). */
  constructor(database: Database) {
    this.insert = database.prepare("INSERT INTO auth_sessions (id_hash, token_binding, created, expires) VALUES (?, ?, ?, ?)");
    this.select = database.prepare("SELECT token_binding, expires FROM auth_sessions WHERE id_hash = ?");
    this.remove = database.prepare("DELETE FROM auth_sessions WHERE id_hash = ?");
    this.removeExpired = database.prepare("DELETE FROM auth_sessions WHERE expires <= ?");
  }

  async create(token: string, lifetimeSeconds: number): Promise<string> {
    const id = randomBytes(32).toString("base64url");
    const now = nowSeconds();
    this.removeExpired.run(now);
    this.insert.run(hashOf(id), bindingOf(id, token).toString("hex"), now, now + lifetimeSeconds);
    return id;
  }

  async verify(id: string, token: string): Promise<boolean> {
    if (id === "") return false;
    const row = this.select.get(hashOf(id));
    if (!row || row.expires <= nowSeconds()) return false;
    const stored = Buffer.from(row.token_binding, "hex");
    const expected = bindingOf(id, token);
    return stored.length === expected.length && timingSafeEqual(stored, expected);
  }

  async revoke(id: string): Promise<void> {
    this.remove.run(hashOf(id));
  }
}
