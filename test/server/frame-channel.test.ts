/**
 * The Node adapter asks every response whether it is an event stream to write straight to the
 * socket. Asking must not read `body`: on @hono/node-server's lightweight Response (the global one
 * once a server is made, as in the real server) that builds a full Response and its stream, and
 * takes the answer off the fast path that writes a string body at once.
 */
import { getRequestListener } from "@hono/node-server";
import { describe, expect, it } from "vitest";
import { FrameChannel, frameChannelOf } from "../../handlers/frame-channel.js";

// Installs the lightweight Response as the global one, as `serve` does in the real server.
getRequestListener(() => new Response(null));

/** node-server keeps a lightweight response's parts under this symbol until something needs a full one. */
function stillLightweight(response: Response): boolean {
  return Object.getOwnPropertySymbols(response).some((symbol) => symbol.description === "cache");
}

describe("frameChannelOf", () => {
  it("leaves a JSON or text answer on node-server's fast path", () => {
    const json = new Response(JSON.stringify({ status: "ok" }), { headers: { "content-type": "application/json" } });
    const text = new Response("plain");
    expect(stillLightweight(json) && stillLightweight(text)).toBe(true);
    expect(frameChannelOf(json)).toBeUndefined();
    expect(frameChannelOf(text)).toBeUndefined();
    expect(stillLightweight(json)).toBe(true);
    expect(stillLightweight(text)).toBe(true);
  });

  it("finds an event stream's channel, also when a middleware made the response anew around its body", () => {
    const channel = new FrameChannel();
    const response = channel.response({ "Cache-Control": "no-cache" });
    expect(frameChannelOf(response)).toBe(channel);
    const remade = new Response(response.body, { status: response.status, headers: response.headers });
    expect(frameChannelOf(remade)).toBe(channel);
    expect(frameChannelOf(new Response(new ReadableStream(), { headers: { "content-type": "text/event-stream" } }))).toBeUndefined();
  });
});
