/** User settings on PostgreSQL (migration 5), as on SQLite (settings-rows.ts): every replica reads the same. */
import type { SettingsStore } from "../settings-store.js";
import type { Queryable } from "./database.js";

export class PostgresSettingsStore implements SettingsStore {
  constructor(private readonly database: Queryable) {}

  async readSettings(): Promise<Record<string, unknown>> {
    const rows = await this.database.rows<{ key: string; value: string }>({ name: "settings-read", text: "SELECT key, value FROM user_settings" });
    return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  async writeSetting(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      await this.database.run({ name: "settings-remove", text: "DELETE FROM user_settings WHERE key = $1", values: [key] });
      return;
    }
    await this.database.run({
      name: "settings-write",
      text: "INSERT INTO user_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      values: [key, JSON.stringify(value)],
    });
  }
}
