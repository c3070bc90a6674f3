/** Auth sessions in the SQLite database (see auth-session-secrets.ts for what is stored). */
import type { Database, Statement } from "better-sqlite3";
import type { AuthSessionStore } from "../auth-sessions.js";
import { bindingMatches, newSessionId, sessionIdHash, tokenBinding } from "../auth-session-secrets.js";

const nowSeconds = (): number => Date.now() / 1000;

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
    const id = newSessionId();
    const now = nowSeconds();
    this.removeExpired.run(now);
    this.insert.run(sessionIdHash(id), tokenBinding(id, token), now, now + lifetimeSeconds);
    return id;
  }

  async verify(id: string, token: string): Promise<boolean> {
    if (id === "") return false;
    const row = this.select.get(sessionIdHash(id));
    if (!row || row.expires <= nowSeconds()) return false;
    return bindingMatches(row.token_binding, id, token);
  }

  async revoke(id: string): Promise<void> {
    this.remove.run(sessionIdHash(id));
  }
}
