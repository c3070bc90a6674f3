/**
 * What the Node adapter does with each request around the app: answers dot-segment paths, logs the
 * request, and writes an event stream straight to the socket. The server and the benches share it,
 * so a bench measures what the server adds per request.
 */
import type { ServerResponse } from "node:http";
import type { Http2Bindings, HttpBindings } from "@hono/node-server";
import { type FrameChannel, frameChannelOf } from "../../handlers/frame-channel.js";
import { pathWithoutQuery, type ServerLog } from "../../runtime/logging/server-log.js";
import { dotSegmentAnswer } from "./dot-segments.js";

/**
 * An event stream written straight to the socket: one write per flush of frames, no web streams.
 * The answer tells @hono/node-server that the response is already being sent.
 */
function writeFramesToSocket(response: Response, channel: FrameChannel, outgoing: ServerResponse): Response {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  outgoing.writeHead(response.status, headers);
  outgoing.flushHeaders();
  outgoing.socket?.setNoDelay(true);
  outgoing.on("close", () => channel.abort());
  channel.claim({
    write: (text) => outgoing.write(text),
    end: () => outgoing.end(),
    onDrain: (callback) => outgoing.on("drain", callback),
  });
  const alreadySent = new Response(null, { headers: { "x-hono-already-sent": "1" } });
  // @hono/node-server answers a body-less Response from a fast path that ignores this header and
  // writes the head again; reading `body` turns that fast path off.
  void alreadySent.body;
  return alreadySent;
}

export function nodeFetchHandler(routed: (request: Request) => Promise<Response>, log: Pick<ServerLog, "request">) {
  return async (request: Request, bindings: HttpBindings | Http2Bindings): Promise<Response> => {
    const outgoing = bindings.outgoing as ServerResponse;
    const started = performance.now();
    const response = dotSegmentAnswer(bindings.incoming.url) ?? (await routed(request));
    log.request({ method: request.method, path: pathWithoutQuery(request.url), status: response.status, durationMs: performance.now() - started });
    const channel = frameChannelOf(response);
    return channel ? writeFramesToSocket(response, channel, outgoing) : response;
  };
}
