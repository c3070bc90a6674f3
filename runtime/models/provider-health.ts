/**
 * Provider health: a light authenticated call (the provider's model list) per configured provider,
 * cached for a minute, with one probe in flight at a time; and the same call to check a key
 * before it is saved.
 */
import type { ConfiguredProvider, ModelRegistry } from "./model.js";

export interface ProviderHealth {
  status: "ok" | "error" | "configured";
  latency_ms: number | null;
  error: string | null;
}

export interface ProviderHealthChecker {
  /** Every configured provider's health; `force` skips the cache (a probe already running is shared). */
  check(force: boolean): Promise<Record<string, ProviderHealth>>;
  /** Drops the cached result (a key was added or changed). */
  invalidate(): void;
}

export type KeyCheck = { status: "valid" } | { status: "invalid"; message: string } | { status: "unreachable"; message: string };

const anthropicVersion = "2023-06-01";

type Endpoint = Pick<ConfiguredProvider, "name" | "api" | "baseURL" | "apiKey">;

function modelListRequest(provider: Endpoint): { url: string; headers: Record<string, string> } {
  const base = provider.baseURL.replace(/\/+$/, "");
  if (provider.api === "anthropic") {
    return {
      url: `${base}/v1/models?limit=1`,
      headers: { "x-api-key": provider.apiKey, "anthropic-version": anthropicVersion },
    };
  }
  return { url: `${base}/models`, headers: { authorization: `Bearer ${provider.apiKey}` } };
}

async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (message) return `HTTP ${response.status}: ${message}`;
  } catch {
    // not JSON: the status says enough
  }
  return `HTTP ${response.status}`;
}

/** Lists the provider's models with its key; throws on any failure, with a readable message. */
async function listModels(provider: Endpoint, signal: AbortSignal): Promise<void> {
  const { url, headers } = modelListRequest(provider);
  const response = await fetch(url, { headers, signal });
  if (!response.ok) {
    const error = new Error(await errorDetail(response)) as Error & { status?: number };
    error.status = response.status;
    throw error;
  }
  const body = (await response.json().catch(() => ({}))) as { data?: unknown[] };
  if (provider.name === "local" && (!Array.isArray(body.data) || body.data.length === 0)) {
    throw new Error(`No models returned from ${provider.name}`);
  }
}

export async function probeProvider(provider: Endpoint, timeoutMs: number): Promise<ProviderHealth> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    await listModels(provider, timeout);
    return { status: "ok", latency_ms: elapsed(), error: null };
  } catch (error) {
    if (timeout.aborted) return { status: "error", latency_ms: timeoutMs, error: "Timeout" };
    return { status: "error", latency_ms: elapsed(), error: error instanceof Error ? error.message : String(error) };
  }
}

/** A rejected key (401/403) is invalid; a provider that cannot be reached only earns a warning, as in gptme. */
export async function checkProviderKey(provider: Endpoint, timeoutMs: number): Promise<KeyCheck> {
  try {
    await listModels(provider, AbortSignal.timeout(timeoutMs));
    return { status: "valid" };
  } catch (error) {
    const status = (error as { status?: number }).status;
    const message = error instanceof Error ? error.message : String(error);
    if (status === 401 || status === 403) return { status: "invalid", message: `Invalid ${provider.name} API key (${message})` };
    if (status === 429) return { status: "valid" };
    return { status: "unreachable", message: `Could not check the key with ${provider.name}: ${message}` };
  }
}

export function createProviderHealthChecker(
  models: ModelRegistry,
  options: { ttlMs?: number; timeoutMs?: number } = {},
): ProviderHealthChecker {
  const ttlMs = options.ttlMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let cached: { at: number; result: Record<string, ProviderHealth> } | null = null;
  let running: Promise<Record<string, ProviderHealth>> | null = null;

  const refresh = async () => {
    const providers = models.configuredProviders();
    const results = await Promise.all(providers.map((provider) => probeProvider(provider, timeoutMs)));
    const result = Object.fromEntries(providers.map((provider, index) => [provider.name, results[index]!]));
    cached = { at: Date.now(), result };
    return result;
  };

  return {
    check(force) {
      if (running) return running;
      if (!force && cached && Date.now() - cached.at < ttlMs) return Promise.resolve(cached.result);
      running = refresh().finally(() => {
        running = null;
      });
      return running;
    },
    invalidate() {
      cached = null;
    },
  };
}
