/**
 * User settings made through the API (the web UI's settings panel): provider keys, the default
 * model, favourite models, the user's name. Kept in the store and held in memory, so the model
 * registry reads them synchronously and the next generation uses them.
 */
import type { SettingsStore } from "../store/settings-store.js";

export interface UserSettingsSnapshot {
  /** Provider key variables (`ANTHROPIC_API_KEY`, ...) → key. Never sent to clients. */
  providerKeys: Record<string, string>;
  defaultModel: string | null;
  favorites: string[];
  userName: string | null;
  userAvatar: string | null;
}

export interface UserSettings {
  snapshot(): UserSettingsSnapshot;
  /** Reads the store again (another replica changed it). */
  reload(): Promise<void>;
  setProviderKey(variable: string, key: string): Promise<void>;
  setDefaultModel(model: string | null): Promise<void>;
  setFavorites(favorites: string[]): Promise<void>;
}

const keys = {
  providerKeys: "provider_keys",
  defaultModel: "default_model",
  favorites: "favorites",
  userName: "user_name",
  userAvatar: "user_avatar",
} as const;

const stringOrNull = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

function snapshotOf(stored: Record<string, unknown>): UserSettingsSnapshot {
  const providerKeys = stored[keys.providerKeys];
  const favorites = stored[keys.favorites];
  return {
    providerKeys:
      typeof providerKeys === "object" && providerKeys !== null
        ? Object.fromEntries(Object.entries(providerKeys).filter((entry): entry is [string, string] => typeof entry[1] === "string"))
        : {},
    defaultModel: stringOrNull(stored[keys.defaultModel]),
    favorites: Array.isArray(favorites) ? favorites.filter((item): item is string => typeof item === "string") : [],
    userName: stringOrNull(stored[keys.userName]),
    userAvatar: stringOrNull(stored[keys.userAvatar]),
  };
}

/**
 * `initial` is what the store holds at start-up (read once by the runtime that owns the store).
 * `changed` is told after every write (replicas tell each other to reload).
 */
export function createUserSettings(store: SettingsStore, initial: Record<string, unknown>, changed: () => void = () => undefined): UserSettings {
  let current = snapshotOf(initial);
  const reload = async () => {
    current = snapshotOf(await store.readSettings());
  };
  return {
    snapshot: () => current,
    reload,
    async setProviderKey(variable, key) {
      // Merged into what is stored now (another replica may have saved another provider's key).
      await reload();
      const providerKeys = { ...current.providerKeys, [variable]: key };
      await store.writeSetting(keys.providerKeys, providerKeys);
      current = { ...current, providerKeys };
      changed();
    },
    async setDefaultModel(model) {
      await store.writeSetting(keys.defaultModel, model ?? undefined);
      current = { ...current, defaultModel: model };
      changed();
    },
    async setFavorites(favorites) {
      await store.writeSetting(keys.favorites, favorites);
      current = { ...current, favorites };
      changed();
    },
  };
}
