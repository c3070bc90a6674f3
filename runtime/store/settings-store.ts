/** User settings as stored: a small key → JSON value table behind an async contract. */

export interface SettingsStore {
  /** Every stored setting, parsed. */
  readSettings(): Promise<Record<string, unknown>>;
  /** Writes (or, with `undefined`, removes) one setting. */
  writeSetting(key: string, value: unknown): Promise<void>;
}
