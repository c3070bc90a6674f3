/** The user_settings table (migration 6) behind the SettingsStore contract. */
import type { Database, Statement } from "better-sqlite3";
import type { SettingsStore } from "../settings-store.js";

export class SqliteSettingsStore implements SettingsStore {
  private readonly all: Statement<[], { key: string; value: string }>;
  private readonly upsert: Statement<[string, string]>;
  private readonly remove: Statement<[string]>;

  constructor(database: Database) {
    this.all = database.prepare("SELECT key, value FROM user_settings");
    this.upsert = database.prepare(
      "INSERT INTO user_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    );
    this.remove = database.prepare("DELETE FROM user_settings WHERE key = ?");
  }

  async readSettings(): Promise<Record<string, unknown>> {
    return this.readSettingsSync();
  }

  /** For the runtime's start-up, which holds the settings in memory from then on. */
  readSettingsSync(): Record<string, unknown> {
    return Object.fromEntries(this.all.all().map((row) => [row.key, JSON.parse(row.value) as unknown]));
  }

  async writeSetting(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.remove.run(key);
    else this.upsert.run(key, JSON.stringify(value));
  }
}
