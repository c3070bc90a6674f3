/**
 * In front of a replica's app: a request about a conversation whose generation runs on another
 * replica goes to that replica when it changes something (step, confirm, interrupt, a new message,
 * edits, delete, rerun, config, elicit/respond: every method but GET), and is served here from the
 * shared store when it only reads (GET, the event stream from the shared event log). Uploads are
 * saved where they land (attachments are on the volume every replica mounts). Sessions named by
 * the request are read from the store first, so every replica accepts them.
 */
import type { LeaseStore } from "../store/leases.js";
import { leaseName } from "./conversation-leases.js";
import type { Forwarding } from "./forwarding.js";
import type { ReplicatedSessionManager } from "./replicated-sessions.js";

const conversationPath = /^\/api(?:\/v2)?\/conversations\/([^/]+)(?:\/|$)/;
const uploadPath = /\/workspace\/upload\/?$/;
/** Requests that read or use the auto-confirm budget: served here, they take it from the store first. */
const budgetPath = /\/(?:step|tool\/confirm|events)\/?$/;

export interface RouterOptions {
  replicaId: string;
  leases: LeaseStore;
  forwarding: Forwarding;
  sessions: ReplicatedSessionManager;
  /** The server's body limit: a larger body is answered where it lands (413), not carried to the owner first. */
  bodyLimitBytes: number;
}

function conversationOf(pathname: string): string | null {
  const match = conversationPath.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

/** The body, unless it is larger than `limit` (then null: it is served here, where the body limit answers it). */
async function bodyUpTo(request: Request, limit: number): Promise<ArrayBuffer | null> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > limit || !request.body) return declared > limit ? null : new ArrayBuffer(0);
  const reader = request.clone().body!.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const joined = Buffer.concat(chunks);
  return joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength) as ArrayBuffer;
}

/** `session_id` from the query or a JSON body. */
function sessionIdOf(url: URL, request: Request, body: ArrayBuffer | null): string | null {
  const fromQuery = url.searchParams.get("session_id");
  if (fromQuery) return fromQuery;
  if (!body || !(request.headers.get("content-type") ?? "").includes("json")) return null;
  try {
    const parsed = JSON.parse(Buffer.from(body).toString("utf8")) as { session_id?: unknown };
    return typeof parsed?.session_id === "string" ? parsed.session_id : null;
  } catch {
    return null;
  }
}

export function replicatedRouter(handle: (request: Request) => Promise<Response>, options: RouterOptions) {
  const { replicaId, leases, forwarding, sessions, bodyLimitBytes } = options;
  /** `forwarded`: the request came from another replica over NATS (never from a client, whatever its headers say). */
  return async (request: Request, forwarded = false): Promise<Response> => {
    const url = new URL(request.url);
    const conversationId = conversationOf(url.pathname);
    if (conversationId === null) return handle(request);
    const reads = request.method === "GET" || request.method === "HEAD" || request.method === "OPTIONS";
    // An upload streams to disk where it lands (50 MB a file): never read whole, never forwarded.
    const servedHere = reads || uploadPath.test(url.pathname);
    const body = servedHere ? null : await bodyUpTo(request, bodyLimitBytes);
    const sessionId = sessionIdOf(url, request, body);
    if (sessionId) await sessions.adoptFromStore(sessionId);

    let remoteState = false;
    if (!forwarded) {
      const lease = await leases.get(leaseName(conversationId));
      const owner = lease && lease.holder !== replicaId ? lease.holder : null;
      if (owner && !servedHere && body !== null) {
        const answered = await forwarding.forward(owner, request, body);
        if (answered) return answered;
      } else if (owner) {
        const state = await forwarding.state<Parameters<ReplicatedSessionManager["rememberRemoteState"]>[1]>(owner, conversationId);
        if (state) sessions.rememberRemoteState(conversationId, state);
        remoteState = state !== null;
      }
    }
    if (!remoteState && budgetPath.test(url.pathname)) await sessions.loadAutoConfirm(conversationId);
    const response = await handle(request);
    await sessions.flush();
    return response;
  };
}
