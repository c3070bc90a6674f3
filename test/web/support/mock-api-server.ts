/**
 * A stand-in for the gptme server's V2 API, for browser tests of client behaviour that the real
 * server cannot be made to show on demand: dropped connections with replay, reload requests, a
 * missing provider, thousands of conversations, an expired sign-in. Serves the built web client too.
 * The end-to-end test (`e2e.test.ts`) runs against the real server instead.
 */
import { readFile, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

export interface MockMessage {
  role: "system" | "user" | "assistant";
  content: string;
  timestamp: string;
  hide?: boolean;
  files?: string[];
  metadata?: Record<string, unknown>;
}

export interface MockConversation {
  id: string;
  name: string;
  modified: number;
  log: MockMessage[];
  model: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  body: any;
}

interface Client {
  conversationId: string;
  response: ServerResponse;
}

export interface MockApi {
  url: string;
  token: string;
  conversations: Map<string, MockConversation>;
  calls: RecordedCall[];
  providerConfigured: boolean;
  /** The `sandbox` report of `GET /api/v2` (none: an older server). */
  sandbox?: Record<string, unknown>;
  /** What a `step` does; default: stream "Hello from the mock" and store it. */
  onStep: (conversation: MockConversation) => void;
  /** Appends to the conversation's event buffer (with the next id) and sends it to connected clients. */
  publish(conversationId: string, event: Record<string, unknown>): void;
  /** Empties a conversation's replay buffer, as a server that trimmed it would. */
  trimBuffer(conversationId: string): void;
  /** Drops every open event stream, as a network failure would. */
  dropConnections(): void;
  /** Forgets all sessions and the event buffer, as a server restart would. */
  forgetSessions(): void;
  /** Makes every authenticated call answer 401, as an expired cookie would. */
  expireAuth(): void;
  close(): Promise<void>;
}

const onePixelPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

const contentTypes: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

function readBody(request: IncomingMessage): Promise<any> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(text);
      }
    });
  });
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

export async function startMockApi(options: { webRoot: string; token?: string; conversations?: MockConversation[] }): Promise<MockApi> {
  const token = options.token ?? "mock-token";
  const conversations = new Map((options.conversations ?? []).map((conversation) => [conversation.id, conversation]));
  const calls: RecordedCall[] = [];
  const sessions = new Set<string>();
  const buffers = new Map<string, Array<{ id: number; data: string }>>();
  let nextEventId = 1;
  let nextSession = 1;
  let authExpired = false;
  const generating = new Set<string>();
  const clients = new Set<Client>();

  const api: MockApi = {
    url: "",
    token,
    conversations,
    calls,
    providerConfigured: true,
    onStep(conversation) {
      const reply: MockMessage = { role: "assistant", content: "Hello from the mock", timestamp: new Date().toISOString(), metadata: { model: "local/mock", input_tokens: 120, output_tokens: 5, cost: 0.0012 } };
      api.publish(conversation.id, { type: "generation_started" });
      for (const token of ["Hello ", "from ", "the mock"]) api.publish(conversation.id, { type: "generation_progress", token });
      conversation.log.push(reply);
      api.publish(conversation.id, { type: "message_added", message: reply });
      api.publish(conversation.id, { type: "generation_complete", message: reply });
    },
    publish(conversationId, event) {
      if (event.type === "generation_started") generating.add(conversationId);
      if (["generation_complete", "interrupted", "error"].includes(String(event.type))) generating.delete(conversationId);
      const frame = { id: nextEventId++, data: JSON.stringify(event) };
      const buffer = buffers.get(conversationId) ?? [];
      buffer.push(frame);
      buffers.set(conversationId, buffer);
      for (const client of clients) {
        if (client.conversationId === conversationId) client.response.write(`id: ${frame.id}\ndata: ${frame.data}\n\n`);
      }
    },
    trimBuffer(conversationId) {
      buffers.set(conversationId, []);
    },
    dropConnections() {
      for (const client of clients) client.response.destroy();
      clients.clear();
    },
    forgetSessions() {
      sessions.clear();
      buffers.clear();
      api.dropConnections();
    },
    expireAuth() {
      authExpired = true;
    },
    async close() {
      api.dropConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function authorized(request: IncomingMessage): boolean {
    if (authExpired) return false;
    const cookie = request.headers.cookie ?? "";
    return cookie.split(/;\s*/).includes(`gptme_auth=${token}`) || request.headers.authorization === `Bearer ${token}`;
  }

  async function serveStatic(path: string, response: ServerResponse): Promise<void> {
    const relative = normalize(path).replace(/^\/+/, "");
    const candidate = join(options.webRoot, relative);
    const file = relative && !relative.startsWith("..") && (await stat(candidate).catch(() => null))?.isFile() ? candidate : join(options.webRoot, "index.html");
    response.writeHead(200, { "Content-Type": contentTypes[extname(file)] ?? "application/octet-stream" });
    response.end(await readFile(file));
  }

  function openEvents(conversation: MockConversation, request: IncomingMessage, url: URL, response: ServerResponse): void {
    let sessionId = url.searchParams.get("session_id");
    if (sessionId && !sessions.has(sessionId)) return json(response, 404, { error: `Session not found: ${sessionId}` });
    if (!sessionId) {
      sessionId = `session-${nextSession++}`;
      sessions.add(sessionId);
    }
    const last = Number(request.headers["last-event-id"] ?? url.searchParams.get("last_event_id") ?? NaN);
    response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    response.write(`data: ${JSON.stringify({ type: "connected", session_id: sessionId, generating: generating.has(conversation.id), pending_tools: [] })}\n\n`);
    const buffer = buffers.get(conversation.id) ?? [];
    if (Number.isFinite(last)) {
      if (nextEventId - 1 > last && (buffer.length === 0 || buffer[0].id > last + 1)) {
        response.write(`data: ${JSON.stringify({ type: "error", error: "Missed events are no longer available: reload the conversation" })}\n\n`);
      }
      for (const frame of buffer) if (frame.id > last) response.write(`id: ${frame.id}\ndata: ${frame.data}\n\n`);
    }
    const client = { conversationId: conversation.id, response };
    clients.add(client);
    request.on("close", () => clients.delete(client));
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? "GET";
    const path = url.pathname;
    const body = method === "GET" || method === "HEAD" ? undefined : await readBody(request);
    calls.push({ method, path: path + url.search, body: body === undefined ? undefined : structuredClone(body) });

    if (path === "/api/v2") {
      return json(response, 200, { message: "gptme v2 API", provider_configured: api.providerConfigured, ...(api.sandbox ? { sandbox: api.sandbox } : {}) });
    }
    if (path === "/api/v2/auth/cookie") {
      if (method === "DELETE") return json(response, 200, { status: "ok" }, { "Set-Cookie": "gptme_auth=; Path=/api/; Max-Age=0" });
      if (request.headers.authorization !== `Bearer ${token}`) return json(response, 401, { error: "Invalid or expired token" });
      authExpired = false;
      return json(response, 200, { status: "ok" }, { "Set-Cookie": `gptme_auth=${token}; HttpOnly; Path=/api/; SameSite=Lax` });
    }
    if (!authorized(request)) return json(response, 401, { error: "Missing authentication credentials" });
    if (path === "/api/v2/models") return json(response, 200, { models: [{ id: "local/mock" }, { id: "local/other" }], default: "local/mock" });
    if (path === "/api/v2/conversations") {
      const query = (url.searchParams.get("q") ?? "").toLowerCase();
      const limit = Number(url.searchParams.get("limit") ?? 100);
      const offset = Number(url.searchParams.get("cursor") ?? 0);
      const matchingMessage = (log: MockMessage[]) =>
        log.find((message) => !message.hide && message.content.toLowerCase().includes(query));
      const all = [...conversations.values()]
        .filter((conversation) => !query || conversation.name.toLowerCase().includes(query) || conversation.id.includes(query) || matchingMessage(conversation.log))
        .sort((a, b) => b.modified - a.modified)
        .map(({ id, name, modified, log }) => ({
          id,
          name,
          modified,
          messages: log.length,
          first_user_message_preview: log.find((message) => message.role === "user" && !message.hide)?.content ?? "",
          ...(query ? { search_snippet: matchingMessage(log)?.content ?? null } : {}),
        }));
      const page = all.slice(offset, offset + limit);
      return json(response, 200, { conversations: page, next_cursor: offset + limit < all.length ? String(offset + limit) : null });
    }
    const match = /^\/api\/v2\/conversations\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!match) return json(response, 404, { error: "Not found" });
    const id = decodeURIComponent(match[1]);
    const rest = match[2] ?? "";
    if (rest === "" && method === "PUT") {
      if (conversations.has(id)) return json(response, 409, { error: `Conversation already exists: ${id}` });
      conversations.set(id, { id, name: id, modified: Date.now() / 1000, log: body.messages, model: body.config?.chat?.model ?? "" });
      const sessionId = `session-${nextSession++}`;
      sessions.add(sessionId);
      return json(response, 200, { status: "ok", conversation_id: id, session_id: sessionId });
    }
    const conversation = conversations.get(id);
    if (!conversation) return json(response, 404, { error: `Conversation not found: ${id}` });
    if (rest === "" && method === "GET") return json(response, 200, { id, name: conversation.name, log: conversation.log });
    if (rest === "" && method === "POST") {
      const message = { role: body.role, content: body.content, timestamp: new Date().toISOString() };
      conversation.log.push(message);
      api.publish(id, { type: "message_added", message });
      return json(response, 200, { status: "ok" });
    }
    if (rest === "" && method === "DELETE") {
      conversations.delete(id);
      return json(response, 200, { status: "ok" });
    }
    if (rest === "config" && method === "GET") return json(response, 200, { chat: { name: conversation.name, model: conversation.model }, env: {} });
    if (rest === "config" && method === "PATCH") {
      if (body?.chat?.name) conversation.name = body.chat.name;
      const config = { chat: { name: conversation.name, model: conversation.model }, env: {} };
      api.publish(id, { type: "config_changed", config, changed_fields: ["name"] });
      return json(response, 200, { status: "ok", config });
    }
    if (rest === "events") return openEvents(conversation, request, url, response);
    if (rest === "step") {
      if (!sessions.has(body?.session_id)) return json(response, 404, { error: `Session not found: ${body?.session_id}` });
      json(response, 200, { status: "ok", message: "Step started", session_id: body.session_id });
      setTimeout(() => api.onStep(conversation), 20);
      return;
    }
    if (rest === "tool/confirm" || rest === "interrupt") return json(response, 200, { status: "ok" });
    if (rest.startsWith("workspace")) {
      if (rest === "workspace") {
        return json(response, 200, [
          { name: "notes.md", path: "notes.md", type: "file", size: 12, modified: "2026-01-01T00:00:00Z", mime_type: "text/markdown" },
          { name: "src", path: "src", type: "directory", size: 0, modified: "2026-01-01T00:00:00Z", mime_type: null },
          { name: "dot.png", path: "dot.png", type: "file", size: 68, modified: "2026-01-01T00:00:00Z", mime_type: "image/png" },
          { name: "data.bin", path: "data.bin", type: "file", size: 2048, modified: "2026-01-01T00:00:00Z", mime_type: "application/octet-stream" },
        ]);
      }
      if (rest === "workspace/notes.md/preview") return json(response, 200, { type: "text", content: "# Notes\n" });
      if (rest === "workspace/dot.png/preview") {
        response.writeHead(200, { "Content-Type": "image/png" });
        response.end(onePixelPng);
        return;
      }
      if (rest === "workspace/data.bin/preview") {
        return json(response, 200, { type: "binary", metadata: { name: "data.bin", path: "data.bin", type: "file", size: 2048, modified: "2026-01-01T00:00:00Z", mime_type: "application/octet-stream" } });
      }
      return json(response, 404, { error: "File not found" });
    }
    return json(response, 404, { error: "Not found" });
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const handler = url.pathname.startsWith("/api/") ? handleApi(request, response, url) : serveStatic(url.pathname, response);
    handler.catch((error: unknown) => json(response, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
