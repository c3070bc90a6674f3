/**
 * A real HTTP server that speaks the OpenAI chat-completions and Anthropic messages wire formats
 * (streamed and not) well enough for the real SDKs, replaying scripted replies.
 *
 * Every request to `POST /v1/chat/completions` or `POST /v1/messages` pops the next reply from one
 * shared queue; when the queue is empty it answers `{ text: "ok" }`. Every request is recorded
 * (path, headers, parsed JSON body) so tests can assert what the model was sent.
 *
 *   const server = await startFakeModelServer();
 *   server.enqueue({ text: "Hello!" }, { toolCalls: [{ name: "shell", arguments: { command: "ls" } }] });
 *   server.enqueue({ status: 429 }, { text: "after the retry" });
 *   server.enqueue({ errorMidStream: { afterText: "partial" } }, { hang: true }, { reset: true });
 *   server.enqueue({ text: "I can", stopReason: "refusal", stopDetails: { type: "refusal", category: "cyber", explanation: "..." } });
 *   server.enqueue({ refusal: "I can't help with that." }, { text: "cut", finishReason: "length" });
 *   // OpenAI SDK: baseURL server.openaiBaseURL; Anthropic SDK: baseURL server.anthropicBaseURL
 *   await server.close();
 */
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";

export interface FakeToolCall {
  name: string;
  /** An object is sent as its JSON; a string as it is. */
  arguments: Record<string, unknown> | string;
  id?: string;
}

export interface FakeUsage {
  /** Uncached input tokens. */
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/** One scripted reply. Fields combine: text with tool calls and usage; text with `hang`. */
export interface FakeReply {
  text?: string;
  /** Characters per streamed text or argument fragment (default 8). */
  chunkSize?: number;
  toolCalls?: FakeToolCall[];
  /** Default: about a token per 4 characters of the request's messages and of the reply. */
  usage?: FakeUsage;
  /**
   * Default: `tool_calls` when there are tool calls, else `stop`. As Anthropic's `stop_reason`:
   * `end_turn`, `max_tokens`, `tool_use`, and `refusal` for `content_filter`.
   */
  finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
  /** Anthropic only: this `stop_reason` as is (`refusal`, `model_context_window_exceeded`, ...), over `finishReason`. */
  stopReason?: string;
  /** Anthropic only: the `stop_details` sent with the stop reason (otherwise `null`), e.g. a refusal's explanation. */
  stopDetails?: { type: "refusal"; category: string | null; explanation: string | null };
  /** OpenAI only: the model's refusal, streamed as `delta.refusal` (or `message.refusal`) after the text. */
  refusal?: string;
  /** Waited before each streamed frame. */
  delayMs?: number;
  /** Answer with this HTTP error status and the provider's error body. */
  status?: number;
  message?: string;
  /** Stream `afterText`, then an error event (an HTTP 500 when not streaming). */
  errorMidStream?: { afterText: string; message?: string };
  /** Never finish (after streaming `text`, if any) until the client goes away or the server closes. */
  hang?: boolean;
  /** Destroy the connection without answering. */
  reset?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary provider fields
  body: any;
}

export interface FakeModelServerOptions {
  port?: number;
  host?: string;
  replies?: FakeReply[];
  /** Called as each request is recorded (the CLI logs them). */
  onRequest?: (request: RecordedRequest) => void;
}

export interface FakeModelServer {
  url: string;
  /** `url + "/v1"`, the OpenAI SDK's `baseURL`. */
  openaiBaseURL: string;
  /** `url`: the Anthropic SDK appends `/v1/messages` itself. */
  anthropicBaseURL: string;
  requests: RecordedRequest[];
  enqueue(...replies: FakeReply[]): void;
  /** Scripted replies not yet used. */
  pending(): number;
  /** Resolves once `count` requests were recorded (a readiness signal instead of sleeping). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Answers 401 (the provider's "invalid key") to every request carrying this key. */
  rejectKey(key: string): void;
  /** Forgets queued replies, recorded requests and rejected keys. */
  reset(): void;
  close(): Promise<void>;
}

const defaultReply: FakeReply = { text: "ok" };

export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  const queue: FakeReply[] = [...(options.replies ?? [])];
  const rejectedKeys = new Set<string>();
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      return sendJson(response, 400, { error: { message: "the request body is not JSON" } });
    }
    const path = (request.url ?? "/").split("?")[0];
    const recorded: RecordedRequest = { method: request.method ?? "GET", path, headers: request.headers, body };
    requests.push(recorded);
    options.onRequest?.(recorded);
    for (const waiter of [...waiters]) waiter();
    const key = String(request.headers["x-api-key"] ?? request.headers.authorization?.replace(/^Bearer\s+/i, "") ?? "");
    if (rejectedKeys.has(key)) {
      return sendJson(response, 401, { type: "error", error: { type: "authentication_error", message: "Incorrect API key provided" } });
    }
    if (request.method === "GET" && path === "/v1/models") return sendJson(response, 200, modelList());
    const format = request.method === "POST" && path === "/v1/chat/completions" ? "openai"
      : request.method === "POST" && path === "/v1/messages" ? "anthropic" : null;
    if (!format) return sendJson(response, 404, { error: { message: `no route ${request.method} ${path}` } });
    const reply = queue.shift() ?? defaultReply;
    await respond(format, reply, (body ?? {}) as Record<string, unknown>, requests.length, request, response);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;

  return {
    url,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    pending: () => queue.length,
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve([...requests]);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake model server: ${requests.length} of ${count} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    rejectKey: (key) => void rejectedKeys.add(key),
    reset() {
      rejectedKeys.clear();
      queue.length = 0;
      requests.length = 0;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

type Format = "openai" | "anthropic";
type Frame = { event?: string; data: unknown };

async function respond(
  format: Format,
  reply: FakeReply,
  body: Record<string, unknown>,
  requestNumber: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (reply.reset) {
    request.socket.destroy();
    return;
  }
  if (reply.status) {
    return sendJson(response, reply.status, errorBody(format, reply.status, reply.message));
  }
  const streaming = body.stream === true;
  if (reply.hang && !reply.text) return hangUntilClosed(response);
  if (!streaming && reply.errorMidStream) {
    return sendJson(response, 500, errorBody(format, 500, reply.errorMidStream.message));
  }
  const script = describeReply(reply, body, requestNumber, format);
  if (!streaming) {
    if (reply.hang) return hangUntilClosed(response);
    return sendJson(response, 200, format === "openai" ? openaiCompletion(script) : anthropicMessage(script));
  }
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const frames = format === "openai" ? openaiFrames(script, reply, body) : anthropicFrames(script, reply);
  for (const frame of frames) {
    if (reply.delayMs) await delay(reply.delayMs);
    if (response.destroyed) return;
    response.write(frame.event ? `event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n` : `data: ${typeof frame.data === "string" ? frame.data : JSON.stringify(frame.data)}\n\n`);
  }
  if (reply.hang) return hangUntilClosed(response);
  response.end();
}

/** What a reply says, in provider-neutral terms. */
interface Script {
  id: string;
  model: string;
  textChunks: string[];
  calls: { id: string; name: string; argumentChunks: string[]; arguments: string }[];
  usage: Required<FakeUsage>;
  finishReason: NonNullable<FakeReply["finishReason"]>;
  stopReason: string;
  stopDetails: FakeReply["stopDetails"] | null;
  refusalChunks: string[];
  error?: string;
}

function describeReply(reply: FakeReply, body: Record<string, unknown>, requestNumber: number, format: Format): Script {
  const size = Math.max(1, reply.chunkSize ?? 8);
  const text = reply.errorMidStream ? reply.errorMidStream.afterText : (reply.text ?? "");
  const calls = (reply.errorMidStream ? [] : (reply.toolCalls ?? [])).map((call, index) => {
    const json = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
    const id = call.id ?? `${format === "openai" ? "call" : "toolu"}_${requestNumber}_${index}`;
    return { id, name: call.name, arguments: json, argumentChunks: chunk(json, size) };
  });
  const finishReason = reply.finishReason ?? (calls.length > 0 ? "tool_calls" : "stop");
  const replyLength = text.length + calls.reduce((total, call) => total + call.arguments.length, 0);
  const usage = reply.usage ?? {
    input: Math.ceil(JSON.stringify([body.system ?? null, body.messages ?? null]).length / 4),
    output: Math.max(1, Math.ceil(replyLength / 4)),
  };
  return {
    id: `fake-${requestNumber}`,
    model: typeof body.model === "string" ? body.model : "fake",
    textChunks: chunk(text, size),
    calls,
    usage: { cacheRead: 0, cacheWrite: 0, ...usage },
    finishReason,
    stopReason: reply.stopReason ?? anthropicStopReasons[finishReason],
    stopDetails: reply.stopDetails ?? null,
    refusalChunks: chunk(reply.refusal ?? "", size),
    error: reply.errorMidStream ? (reply.errorMidStream.message ?? "the fake model failed mid-stream") : undefined,
  };
}

function* openaiFrames(script: Script, reply: FakeReply, body: Record<string, unknown>): Generator<Frame> {
  const base = { id: `chatcmpl-${script.id}`, object: "chat.completion.chunk", created: now(), model: script.model };
  const delta = (value: Record<string, unknown>, finishReason: string | null = null) =>
    ({ data: { ...base, choices: [{ index: 0, delta: value, finish_reason: finishReason, logprobs: null }] } });
  yield delta({ role: "assistant", content: "" });
  for (const text of script.textChunks) yield delta({ content: text });
  for (const refusal of script.refusalChunks) yield delta({ refusal });
  if (script.error) {
    yield { data: { error: { message: script.error, type: "server_error", param: null, code: null } } };
    return;
  }
  if (reply.hang) return;
  for (const [index, call] of script.calls.entries()) {
    yield delta({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] });
    for (const fragment of call.argumentChunks) yield delta({ tool_calls: [{ index, function: { arguments: fragment } }] });
  }
  yield delta({}, script.finishReason);
  const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
  if (streamOptions?.include_usage) yield { data: { ...base, choices: [], usage: openaiUsage(script.usage) } };
  yield { data: "[DONE]" };
}

function openaiCompletion(script: Script): unknown {
  const text = script.textChunks.join("");
  const toolCalls = script.calls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } }));
  return {
    id: `chatcmpl-${script.id}`,
    object: "chat.completion",
    created: now(),
    model: script.model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: text || null, refusal: script.refusalChunks.join("") || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
      finish_reason: script.finishReason,
      logprobs: null,
    }],
    usage: openaiUsage(script.usage),
  };
}

/** OpenAI counts cached tokens inside `prompt_tokens`. */
function openaiUsage(usage: Required<FakeUsage>): unknown {
  const prompt = usage.input + usage.cacheRead + usage.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, ...(usage.cacheWrite ? { cache_write_tokens: usage.cacheWrite } : {}) },
  };
}

const anthropicStopReasons = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use", content_filter: "refusal" } as const;

function* anthropicFrames(script: Script, reply: FakeReply): Generator<Frame> {
  const frame = (event: string, data: Record<string, unknown>): Frame => ({ event, data: { type: event, ...data } });
  const message = anthropicMessage({ ...script, textChunks: [], calls: [] }) as Record<string, unknown>;
  yield frame("message_start", { message: { ...message, stop_reason: null, stop_details: null, usage: { ...anthropicUsage(script.usage), output_tokens: 1 } } });
  let index = 0;
  if (script.textChunks.length > 0) {
    yield frame("content_block_start", { index, content_block: { type: "text", text: "" } });
    yield frame("ping", {});
    for (const text of script.textChunks) yield frame("content_block_delta", { index, delta: { type: "text_delta", text } });
  }
  if (script.error) {
    yield { event: "error", data: { type: "error", error: { type: "overloaded_error", message: script.error } } };
    return;
  }
  if (reply.hang) return;
  if (script.textChunks.length > 0) {
    yield frame("content_block_stop", { index });
    index++;
  }
  for (const call of script.calls) {
    yield frame("content_block_start", { index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } });
    for (const fragment of call.argumentChunks) {
      yield frame("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: fragment } });
    }
    yield frame("content_block_stop", { index });
    index++;
  }
  yield frame("message_delta", {
    delta: { stop_reason: script.stopReason, stop_sequence: null, stop_details: script.stopDetails },
    usage: { output_tokens: script.usage.output },
  });
  yield frame("message_stop", {});
}

function anthropicMessage(script: Script): unknown {
  const text = script.textChunks.join("");
  return {
    id: `msg_${script.id}`,
    type: "message",
    role: "assistant",
    model: script.model,
    content: [
      ...(text ? [{ type: "text", text }] : []),
      ...script.calls.map((call) => ({ type: "tool_use", id: call.id, name: call.name, input: JSON.parse(call.arguments || "{}") })),
    ],
    stop_reason: script.stopReason,
    stop_sequence: null,
    stop_details: script.stopDetails,
    usage: anthropicUsage(script.usage),
  };
}

function anthropicUsage(usage: Required<FakeUsage>): Record<string, number> {
  return {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation_input_tokens: usage.cacheWrite,
  };
}

const anthropicErrorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  529: "overloaded_error",
};

function errorBody(format: Format, status: number, message = STATUS_CODES[status] ?? `HTTP ${status}`): unknown {
  if (format === "anthropic") {
    return { type: "error", error: { type: anthropicErrorTypes[status] ?? "api_error", message } };
  }
  const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  return { error: { message, type, param: null, code: null } };
}

function modelList(): unknown {
  const models = ["fake", "fake-large"].map((id) => ({
    id,
    object: "model",
    type: "model",
    created: 0,
    owned_by: "fake",
    display_name: id,
    created_at: "2025-01-01T00:00:00Z",
  }));
  return { object: "list", data: models, has_more: false, first_id: "fake", last_id: "fake-large" };
}

function hangUntilClosed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => response.once("close", () => resolve()));
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(value));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (data: Buffer) => chunks.push(data));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Splits by code points, so no chunk ends inside a surrogate pair. */
function chunk(text: string, size: number): string[] {
  const characters = Array.from(text);
  const chunks: string[] = [];
  for (let start = 0; start < characters.length; start += size) chunks.push(characters.slice(start, start + size).join(""));
  return chunks;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}
