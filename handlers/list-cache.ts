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
  /** A promise, so that requests arriving while a body renders wait for it instead of rendering it again. */
  bodies: Map<string, Promise<string>>;
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
  const { bodies, etag } = state;
  let body = bodies.get(key);
  if (body === undefined) {
    body = render().then((value) => JSON.stringify(value));
    if (bodies.size >= maximumEntries) bodies.delete(bodies.keys().next().value!);
    bodies.set(key, body);
    // A failed render (a bad query) is not kept: the next request tries again and gets its own error.
    body.catch(() => bodies.get(key) === body && bodies.delete(key));
  }
  return { body: await body, etag };
}
