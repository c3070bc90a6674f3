/**
 * Serialized list responses, reused until the store changes (in this process or another sharing
 * the database). Clients ask for the list several times per page load; most of those answers are
 * identical, and the ETag lets them skip the body entirely.
 */
import type { Runtime } from "../runtime/runtime.js";

const maximumEntries = 64;

interface CacheState {
  token: string;
  etag: string;
  bodies: Map<string, string>;
}

const caches = new WeakMap<Runtime, CacheState>();

/** The cached body for `key` under the store's current change token, or a fresh one from `render`. */
export async function cachedListBody(
  runtime: Runtime,
  key: string,
  render: () => Promise<unknown>,
): Promise<{ body: string; etag: string }> {
  const token = await runtime.store.changeToken();
  let state = caches.get(runtime);
  if (!state || state.token !== token) {
    state = { token, etag: `W/"${token}"`, bodies: new Map() };
    caches.set(runtime, state);
  }
  let body = state.bodies.get(key);
  if (body === undefined) {
    body = JSON.stringify(await render());
    if (state.bodies.size >= maximumEntries) state.bodies.delete(state.bodies.keys().next().value!);
    state.bodies.set(key, body);
  }
  return { body, etag: state.etag };
}
