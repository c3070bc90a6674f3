/**
 * `GET /api/v0/metrics`: Prometheus text with the families issue 16 names, filled by real requests
 * and a real generation against the fake model server; the token is required unless `--metrics-public`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { SseReader } from "../support/sse-client.js";
import { createModelBackedServer, createTestServer, type TestServer } from "../support/test-runtime.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the text format: every line a comment or a well-formed sample, or it throws. */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|[+-]Inf)$/.exec(line);
    if (!sample) throw new Error(`Not Prometheus text: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: sample[1]!, labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

const find = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));

let model: FakeModelServer;
const servers: TestServer[] = [];
beforeAll(async () => {
  model = await startFakeModelServer();
});
afterAll(async () => {
  await model.close();
});
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

async function scrape(server: TestServer) {
  const response = await server.call("/api/v0/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  return parsePrometheus(await response.text());
}

describe("GET /api/v0/metrics", () => {
  it("needs the token unless --metrics-public", async () => {
    const guarded = createTestServer();
    servers.push(guarded);
    expect((await guarded.call("/api/v0/metrics", { auth: false })).status).toBe(401);
    expect((await guarded.call("/api/v0/metrics", { headers: { authorization: "Bearer wrong-token" } })).status).toBe(401);
    expect((await guarded.call("/api/v0/metrics")).status).toBe(200);

    const open = createTestServer({ metricsPublic: true });
    servers.push(open);
    const response = await open.call("/api/v0/metrics", { auth: false });
    expect(response.status).toBe(200);
    expect(parsePrometheus(await response.text()).types.get("gptme_server_requests_total")).toBe("counter");
    // Only the metrics are opened: the API still wants the token.
    expect((await open.call("/api/v2/conversations", { auth: false })).status).toBe(401);
  });

  it("counts requests by route pattern, method and status, with latency histograms, and the store's size", async () => {
    const server = createTestServer();
    servers.push(server);
    await server.call("/api/v2/conversations/counted", { method: "PUT", json: { messages: [{ role: "user", content: "hi" }] } });
    for (let index = 0; index < 3; index++) await server.call("/api/v2/conversations/counted");
    await server.call("/api/v2/conversations/missing");
    await server.call("/api/v2/conversations", { auth: false });

    const { types, samples } = await scrape(server);
    const route = "/api/v2/conversations/:id";
    expect(find(samples, "gptme_server_requests_total", { method: "GET", endpoint: route, status: "200" })[0]?.value).toBe(3);
    expect(find(samples, "gptme_server_requests_total", { method: "GET", endpoint: route, status: "404" })[0]?.value).toBe(1);
    expect(find(samples, "gptme_server_requests_total", { endpoint: "/api/v2/conversations", status: "401" })[0]?.value).toBe(1);
    // Raw paths never become labels (one series per conversation would grow without bound).
    expect(samples.some((sample) => sample.labels.endpoint?.includes("counted"))).toBe(false);
    expect(types.get("gptme_server_request_duration_seconds")).toBe("histogram");
    expect(find(samples, "gptme_server_request_duration_seconds_count", { method: "GET", endpoint: route })[0]?.value).toBe(4);
    expect(find(samples, "gptme_server_request_duration_seconds_bucket", { method: "GET", endpoint: route, le: "+Inf" })[0]?.value).toBe(4);
    expect(find(samples, "gptme_server_conversations_total")[0]?.value).toBe(1);
    expect(find(samples, "gptme_server_messages_total")[0]!.value).toBeGreaterThanOrEqual(2);
    expect(find(samples, "gptme_server_store_bytes")[0]!.value).toBeGreaterThan(0);
    // prom-client's own process metrics come along.
    expect(types.get("process_cpu_user_seconds_total")).toBe("counter");
  });

  it("reports event streams, generations, model tokens and cost by provider, tool runs and sandbox starts", async () => {
    model.reset();
    const server = createModelBackedServer(model.openaiBaseURL, { sandbox: { backend: "none" } });
    servers.push(server);
    const created = await server.call("/api/v2/conversations/generated", {
      method: "PUT",
      json: { messages: [{ role: "user", content: "write hello.txt" }] },
    });
    const sessionId = (await created.json()).session_id as string;
    const stream = new SseReader(await server.call(`/api/v2/conversations/generated/events?session_id=${sessionId}`));
    try {
      await stream.nextType("connected");
      expect(find((await scrape(server)).samples, "gptme_server_sse_connections_active")[0]?.value).toBe(1);

      model.enqueue(
        { text: "Writing it.\n```save hello.txt\nhello\n```\n", usage: { input: 120, output: 30 } },
        { text: "Done.", usage: { input: 200, output: 5 } },
      );
      await server.call("/api/v2/conversations/generated/step", { method: "POST", json: { session_id: sessionId, auto_confirm: true } });
      await stream.nextType("tool_complete");
      await stream.next((frame) => frame.data.type === "generation_complete" && (frame.data.message as { content: string }).content === "Done.");
      await stream.next((frame) => frame.data.type === "config_changed");

      const { types, samples } = await scrape(server);
      expect(find(samples, "gptme_server_generations_active")[0]?.value).toBe(0);
      expect(find(samples, "gptme_server_model_tokens_total", { provider: "local", direction: "input" })[0]?.value).toBe(320);
      expect(find(samples, "gptme_server_model_tokens_total", { provider: "local", direction: "output" })[0]?.value).toBe(35);
      expect(types.get("gptme_server_model_cost_dollars_total")).toBe("counter");
      expect(find(samples, "gptme_server_model_cost_dollars_total", { provider: "local" })).toHaveLength(1);
      expect(find(samples, "gptme_server_tool_runs_total", { tool: "save", outcome: "success" })[0]?.value).toBe(1);
      expect(find(samples, "gptme_server_tool_run_duration_seconds_count", { tool: "save" })[0]?.value).toBe(1);
      expect(find(samples, "gptme_server_sandbox_starts_total", { backend: "none" })[0]?.value).toBe(1);
    } finally {
      await stream.close();
    }
    expect(find((await scrape(server)).samples, "gptme_server_sse_connections_active")[0]?.value).toBe(0);
  });
});
