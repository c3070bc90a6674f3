/**
 * Requests that need a conversation's live owner (the replica running its generation), carried to
 * it over NATS request/reply and answered by its own app, so the owner checks auth and input as if
 * the client had called it. Also the owner's live state (generating, pending tools) for the
 * `connected` event and the conversation's GET on other replicas.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";

/** Names the replica a request was forwarded from (for logs); what makes it served where it lands is that it came over NATS. */
export const forwardedHeader = "x-gptme-forwarded-by";

interface WireRequest {
  method: string;
  /** As the client sent it (its host passes the owner's Host check as it passed this replica's). */
  url: string;
  headers: Array<[string, string]>;
  /** Base64. */
  body: string | null;
}

interface WireResponse {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

const httpSubject = (replicaId: string) => `gptme.replica.${replicaId}.http`;
const stateSubject = (replicaId: string) => `gptme.replica.${replicaId}.state`;

/** Hop-by-hop headers and those the receiving server sets itself. */
const droppedHeaders = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

export interface ForwardingOptions {
  connection: NatsConnection;
  replicaId: string;
  /** How long the owner may take to answer (interrupt waits for the generation to stop). */
  timeoutMs?: number;
}

export class Forwarding {
  private readonly subscriptions: Subscription[] = [];

  constructor(private readonly options: ForwardingOptions) {}

  /** Answers forwarded requests with `handle` (told they were forwarded), and state requests with `state`. */
  serve(handle: (request: Request, forwarded: true) => Promise<Response>, state: (conversationId: string) => unknown): void {
    const { connection, replicaId } = this.options;
    this.subscriptions.push(
      connection.subscribe(httpSubject(replicaId), {
        callback: (error, message) => {
          if (error) return;
          void (async () => {
            let reply: WireResponse;
            try {
              const wire = message.json<WireRequest>();
              const headers = new Headers(wire.headers);
              headers.set(forwardedHeader, replicaId);
              const request = new Request(wire.url, {
                method: wire.method,
                headers,
                body: wire.body === null ? undefined : Buffer.from(wire.body, "base64"),
              });
              const response = await handle(request, true);
              reply = {
                status: response.status,
                headers: [...response.headers.entries()],
                body: Buffer.from(await response.arrayBuffer()).toString("base64"),
              };
            } catch (caught) {
              reply = errorReply(`The replica that runs this conversation failed to answer: ${caught instanceof Error ? caught.message : String(caught)}`);
            }
            message.respond(JSON.stringify(reply));
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
      body: body === null || body.byteLength === 0 ? null : Buffer.from(body).toString("base64"),
    };
    let reply: WireResponse;
    try {
      const message = await this.options.connection.request(httpSubject(owner), JSON.stringify(wire), { timeout: this.options.timeoutMs ?? 120_000 });
      reply = message.json<WireResponse>();
    } catch (error) {
      if (isNoResponders(error)) return null;
      reply = errorReply(`Could not reach the server replica that runs this conversation: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new Response(reply.status === 204 || reply.status === 304 ? null : Buffer.from(reply.body, "base64"), {
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
