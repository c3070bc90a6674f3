/** Auth sessions in PostgreSQL, stored as the SQLite store stores them (see auth-session-secrets.ts). */
import type { AuthSessionStore } from "../auth-sessions.js";
import { bindingMatches, newSessionId, sessionIdHash, tokenBinding } from "../auth-session-secrets.js";
import type { Queryable } from "./database.js";

const nowSeconds = (): number => Date.now() / 1000;

export class PostgresAuthSessionStore implements AuthSessionStore {
  constructor(private readonly database: Queryable) {}

  async create(token: string, lifetimeSeconds: number): Promise<string> {
    const id = newSessionId();
    const now = nowSeconds();
    await this.database.run({ name: "auth-sessions-expire", text: "DELETE FROM auth_sessions WHERE expires <= $1", values: [now] });
    await this.database.run({
      name: "auth-sessions-insert",
      text: "INSERT INTO auth_sessions (id_hash, token_binding, created, expires) VALUES ($1, $2, $3, $4)",
      values: [sessionIdHash(id), tokenBinding(id, token), now, now + lifetimeSeconds],
    });
    return id;
  }

  async verify(id: string, token: string): Promise<boolean> {
    if (id === "") return false;
    const [row] = await this.database.rows<{ token_binding: string; expires: number }>({
      name: "auth-sessions-select",
      text: "SELECT token_binding, expires FROM auth_sessions WHERE id_hash = $1",
      values: [sessionIdHash(id)],
    });
    if (!row || row.expires <= nowSeconds()) return false;
    return bindingMatches(row.token_binding, id, token);
  }

  async revoke(id: string): Promise<void> {
    await this.database.run({ name: "auth-sessions-delete", text: "DELETE FROM auth_sessions WHERE id_hash = $1", values: [sessionIdHash(id)] });
  }
}
