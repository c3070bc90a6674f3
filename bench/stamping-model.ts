/** A minimal OpenAI-compatible streaming model for benchmarks: every chunk carries its send time. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StampingModel {
  url: string;
  close(): Promise<void>;
}

export async function startStampingModel(options: { chunks: number; intervalMs: number }): Promise<StampingModel> {
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const streaming = body.includes('"stream":true');
      const base = { id: "bench", object: "chat.completion.chunk", created: 0, model: "bench" };
      if (!streaming) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({
          id: "bench", object: "chat.completion", created: 0, model: "bench",
          choices: [{ index: 0, message: { role: "assistant", content: "Benchmark run" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }));
        return;
      }
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      const write = (payload: unknown) => response.write(`data: ${JSON.stringify(payload)}\n\n`);
      write({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      // Real streams are not in step with each other: each starts at a random phase of the interval.
      const phase = setTimeout(() => (timer = setInterval(tick, options.intervalMs)), Math.random() * options.intervalMs);
      const tick = () => {
        if (sent === options.chunks) {
          clearInterval(timer);
          write({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
          write({ ...base, choices: [], usage: { prompt_tokens: 10, completion_tokens: options.chunks, total_tokens: 10 + options.chunks } });
          response.end("data: [DONE]\n\n");
          return;
        }
        sent += 1;
        write({ ...base, choices: [{ index: 0, delta: { content: `${performance.now().toFixed(3)};` }, finish_reason: null }] });
      };
      response.on("close", () => {
        clearTimeout(phase);
        clearInterval(timer);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
