/**
 * Serialized `GET /api/v2/conversations/{id}` bodies, one per conversation version (and page and
 * live-session state: the ETag's parts), reused until the conversation changes. A client reloading a
 * long conversation, or several tabs showing it, cost one serialization between two writes.
 */
import type { Runtime } from "../runtime/runtime.js";
import type { Conversation } from "../runtime/store/types.js";
import { conversationDetail, type MessagePage } from "./conversation-detail.js";

/** Bounds what the cache holds: a few long conversations, or many short ones. */
const maximumEntries = 32;
const maximumCharacters = 32 * 1024 * 1024;

interface CacheState {
  bodies: Map<string, Promise<string>>;
  sizes: Map<string, number>;
  characters: number;
}

const caches = new WeakMap<Runtime, CacheState>();

/**
 * The body as JSON text. `log` is the main branch again (gptme's shape, which gptme's web client
 * reads from `branches.main` when switching branches), so the main branch is serialized once and
 * its text written in both places.
 */
export async function renderDetailJson(env: Runtime, conversation: Conversation, page?: MessagePage): Promise<string> {
  const { log, branches, ...rest } = await conversationDetail(env, conversation, page);
  const branchTexts = Object.entries(branches).map(([name, messages]) => [name, JSON.stringify(messages)] as const);
  const mainText = branchTexts.find(([name]) => name === "main")?.[1] ?? JSON.stringify(log);
  const head = JSON.stringify(rest);
  const branchesText = branchTexts.map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(",");
  return `${head.slice(0, -1)}${head.length > 2 ? "," : ""}"log":${mainText},"branches":{${branchesText}}}`;
}

/** The cached body for this conversation under `etag` (the GET's), or a fresh one kept for the next request. */
export async function cachedDetailJson(
  env: Runtime,
  conversation: Conversation,
  etag: string,
  page?: MessagePage,
): Promise<string> {
  let state = caches.get(env);
  if (!state) {
    state = { bodies: new Map(), sizes: new Map(), characters: 0 };
    caches.set(env, state);
  }
  // The ETag holds the version, `created` (a conversation made again under this id restarts its
  // version), the page and the live session: everything else the body depends on.
  const key = `${conversation.id}\n${etag}`;
  const cached = state.bodies.get(key);
  if (cached) {
    // Most recently used last, so eviction drops the oldest.
    state.bodies.delete(key);
    state.bodies.set(key, cached);
    return cached;
  }
  const body = renderDetailJson(env, conversation, page);
  state.bodies.set(key, body);
  const cache = state;
  body.then(
    (text) => {
      if (cache.bodies.get(key) !== body) return;
      cache.sizes.set(key, text.length);
      cache.characters += text.length;
      evict(cache, key);
    },
    () => cache.bodies.get(key) === body && cache.bodies.delete(key),
  );
  return body;
}

function evict(state: CacheState, keep: string) {
  for (const key of state.bodies.keys()) {
    if (state.bodies.size <= maximumEntries && state.characters <= maximumCharacters) return;
    if (key === keep) continue;
    state.characters -= state.sizes.get(key) ?? 0;
    state.sizes.delete(key);
    state.bodies.delete(key);
  }
}
