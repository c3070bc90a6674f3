// The floor under the SSE relay: a plain Node HTTP server that reads the model through the OpenAI SDK
// (as the server does) and writes each token to the client as one SSE frame, one socket write per
// token. No store, no sessions, no event buffer, no Hono: the server's relay with our code taken out.
import { createServer } from "node:http";
import OpenAI from "openai";

const sdk = new OpenAI({ baseURL: process.env.MODEL_URL, apiKey: "bench", maxRetries: 0 });
const server = createServer(async (request, response) => {
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  response.flushHeaders();
  response.socket?.setNoDelay(true);
  response.write(`data: ${JSON.stringify({ type: "connected" })}\n\n`);
  const stream = await sdk.chat.completions.create({ model: "bench", stream: true, messages: [{ role: "user", content: "go" }] });
  for await (const chunk of stream) {
    const token = chunk.choices[0]?.delta?.content;
    if (token) response.write(`data: ${JSON.stringify({ type: "generation_progress", token })}\n\n`);
  }
  response.end(`data: ${JSON.stringify({ type: "generation_complete" })}\n\n`);
});
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.once("SIGTERM", () => process.exit(0));
