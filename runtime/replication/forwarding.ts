/**
 * Requests that need a conversation's live owner (the replica running its generation), carried to
 * it over NATS request/reply and answered by its own app, so the owner checks auth and input as if
 * the client had called it. Also the owner's live state (generating, pending tools) for the
 * `connected` event and the conversation's GET on other replicas. A body too large for one NATS
 * message (1 MiB by default) goes through the shared store instead: the message names it, the
 * reader fetches it, and the replica that stored it removes it once the exchange is over.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { ForwardedBodyStore } from "../store/shared-replica-state.js";

/** Names the replica a request was forwarded from (for logs); what makes it served where it lands is that it came over NATS. */
export const forwardedHeader = "x-gptme-forwarded-by";

interface WireRequest {
  method: string;
  /** As the client sent it (its host passes the owner's Host check as it passed this replica's). */
  url: string;
  headers: Array<[string, string]>;
  /** Base64. */
  body: string | null;
  /** The body is in the shared store under this id instead (too large for a NATS message). */
  storedBody?: string;
}

interface WireResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
  storedBody?: string;
}

/** Room a message keeps for NATS's own framing beside our JSON. */
const messageHeadroom = 1024;

const httpSubject = (replicaId: string) => `gptme.replica.${replicaId}.http`;
const stateSubject = (replicaId: string) => `gptme.replica.${replicaId}.state`;

/** Hop-by-hop headers and those the receiving server sets itself. */
const droppedHeaders = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

export interface ForwardingOptions {
  connection: NatsConnection;
  replicaId: string;
  /** Where bodies too large for a NATS message wait for the other replica. */
  bodies: ForwardedBodyStore;
  /** How long the owner may take to answer (interrupt waits for the generation to stop). */
  timeoutMs?: number;
}

export class Forwarding {
  private readonly subscriptions: Subscription[] = [];

  constructor(private readonly options: ForwardingOptions) {}

  /** The largest JSON a NATS message carries here. */
  private get messageLimit(): number {
    return (this.options.connection.info?.max_payload ?? 1024 * 1024) - messageHeadroom;
  }

  /**
   * The wire form of a request or answer: the body inline, or, when that would not fit in one
   * message, in the store (`stored` collects the ids, for the caller to remove).
   */
  private async encode<Wire extends { body: string | null; storedBody?: string }>(wire: Wire, body: Uint8Array | null, stored: string[]): Promise<string> {
    const inline = JSON.stringify({ ...wire, body: body === null ? null : Buffer.from(body).toString("base64") });
    if (body === null || Buffer.byteLength(inline) <= this.messageLimit) return inline;
    const id = await this.options.bodies.put(body);
    stored.push(id);
    return JSON.stringify({ ...wire, body: null, storedBody: id });
  }

  /** The body a wire message carries, from the store when it names one there. */
  private async decode(wire: { body: string | null; storedBody?: string }): Promise<Uint8Array<ArrayBuffer> | null> {
    if (wire.storedBody !== undefined) {
      const body = await this.options.bodies.get(wire.storedBody);
      if (!body) throw new Error("the forwarded body is no longer in the store");
      return new Uint8Array(body);
    }
    return wire.body === null ? null : new Uint8Array(Buffer.from(wire.body, "base64"));
  }

  private removeStored(ids: string[]): void {
    for (const id of ids) {
      void this.options.bodies.remove(id).catch((error: unknown) => {
        console.error(`could not remove a forwarded body (removed within the hour): ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  /** Answers forwarded requests with `handle` (told they were forwarded), and state requests with `state`. */
  serve(handle: (request: Request, forwarded: true) => Promise<Response>, state: (conversationId: string) => unknown): void {
    const { connection, replicaId } = this.options;
    this.subscriptions.push(
      connection.subscribe(httpSubject(replicaId), {
        callback: (error, message) => {
          if (error) return;
          void (async () => {
            // The forwarder removes what this replica stores for the answer, once it has read it.
            const stored: string[] = [];
            let reply: string;
            try {
              const wire = message.json<WireRequest>();
              const headers = new Headers(wire.headers);
              headers.set(forwardedHeader, replicaId);
              const body = await this.decode(wire);
              const request = new Request(wire.url, { method: wire.method, headers, body: body ?? undefined });
              const response = await handle(request, true);
              const answer = new Uint8Array(await response.arrayBuffer());
              reply = await this.encode({ status: response.status, headers: [...response.headers.entries()], body: "" }, answer, stored);
            } catch (caught) {
              this.removeStored(stored);
              reply = JSON.stringify(errorReply(`The replica that runs this conversation failed to answer: ${caught instanceof Error ? caught.message : String(caught)}`));
            }
            message.respond(reply);
          })();
        },
      }),
      connection.subscribe(stateSubject(replicaId), {
        callback: (error, message) => {
          if (error) return;
          message.respond(JSON.stringify(state(message.string()) ?? null));
        },
      }),
    );
  }

  /** The owner's answer to `request`, or null when no replica `owner` answers (it died: serve it here). */
  async forward(owner: string, request: Request, body: ArrayBuffer | null): Promise<Response | null> {
    const wire: WireRequest = {
      method: request.method,
      url: request.url,
      headers: [...request.headers.entries()].filter(([name]) => !droppedHeaders.has(name.toLowerCase())),
      body: null,
    };
    const stored: string[] = [];
    let reply: WireResponse;
    let answer: Uint8Array<ArrayBuffer> | null;
    try {
      const payload = await this.encode(wire, body === null || body.byteLength === 0 ? null : new Uint8Array(body), stored);
      const message = await this.options.connection.request(httpSubject(owner), payload, { timeout: this.options.timeoutMs ?? 120_000 });
      reply = message.json<WireResponse>();
      if (reply.storedBody !== undefined) stored.push(reply.storedBody);
      answer = await this.decode(reply);
    } catch (error) {
      if (isNoResponders(error)) return null;
      reply = errorReply(`Could not reach the server replica that runs this conversation: ${error instanceof Error ? error.message : String(error)}`);
      answer = new Uint8Array(Buffer.from(reply.body, "base64"));
    } finally {
      this.removeStored(stored);
    }
    return new Response(reply.status === 204 || reply.status === 304 ? null : answer, {
      status: reply.status,
      headers: reply.headers.filter(([name]) => !droppedHeaders.has(name.toLowerCase())),
    });
  }

  /** The owner's live state of a conversation, or null when it does not answer. */
  async state<State>(owner: string, conversationId: string): Promise<State | null> {
    try {
      const message = await this.options.connection.request(stateSubject(owner), conversationId, { timeout: 5_000 });
      return message.json<State | null>();
    } catch {
      return null;
    }
  }

  close(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.unsubscribe();
  }
}

function errorReply(error: string): WireResponse {
  return {
    status: 503,
    headers: [["content-type", "application/json"]],
    body: Buffer.from(JSON.stringify({ error })).toString("base64"),
  };
}

function isNoResponders(error: unknown): boolean {
  const text = `${(error as { name?: string }).name ?? ""} ${(error as { code?: string }).code ?? ""} ${String(error)}`;
  return /no ?responders|503/i.test(text);
}
