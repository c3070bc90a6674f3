/**
 * What `GET /api/v0/metrics` reports. Observations are kept in plain counters and fixed-bucket
 * histograms (constant memory, no `node:` import, so handlers may record them); prom-client, which
 * costs 0.5 s and 11 MB to load, is loaded by the first scrape and renders the Prometheus text with
 * its registry, next to its default process metrics.
 */

type Labels = Record<string, string>;

interface MetricSnapshot {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  values: Array<{ labels: Labels; value: number; metricName?: string }>;
}

/** gptme's request buckets (seconds). */
const requestBuckets = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10];
const toolBuckets = [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

class CounterFamily {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}
  add(labels: Labels, value = 1) {
    this.addTo(Object.values(labels).join("\u0000"), () => labels, value);
  }
  /** For hot paths: `key` names the series, and the labels are built only for a new one. */
  addTo(key: string, labels: () => Labels, value = 1) {
    const entry = this.series.get(key);
    if (entry) entry.value += value;
    else this.series.set(key, { labels: labels(), value });
  }
  snapshot(): MetricSnapshot {
    return { name: this.name, help: this.help, type: "counter", values: [...this.series.values()].map((entry) => ({ ...entry })) };
  }
}

class HistogramFamily {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, private readonly buckets: number[]) {}
  observe(labels: Labels, value: number) {
    this.observeIn(Object.values(labels).join("\u0000"), () => labels, value);
  }
  observeIn(key: string, labels: () => Labels, value: number) {
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { labels: labels(), counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index !== -1) entry.counts[index]! += 1;
    entry.sum += value;
    entry.count += 1;
  }
  snapshot(): MetricSnapshot {
    const values: MetricSnapshot["values"] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += counts[index]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: String(bound) }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: "+Inf" }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: "histogram", values };
  }
}

export interface StoreStatistics {
  conversations: number;
  messages: number;
  /** The database's size on disk (with its write-ahead log). */
  bytes: number;
}

export interface Metrics {
  /** `endpoint` is the route pattern (`/api/v2/conversations/:id`), never the raw path. */
  observeRequest(method: string, endpoint: string, status: number, seconds: number): void;
  /** An event stream opened; call the answer when it closes. */
  streamOpened(): () => void;
  /** A generation started; call the answer when it ends. */
  generationStarted(): () => void;
  observeModelUsage(provider: string, usage: { inputTokens: number; outputTokens: number; cost: number }): void;
  observeToolRun(tool: string, outcome: "success" | "failure", seconds: number): void;
  sandboxStarted(backend: string): void;
  /** The Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(options: { storeStatistics: () => Promise<StoreStatistics> }): Metrics {
  const requests = new CounterFamily("gptme_server_requests_total", "Total HTTP requests handled by the gptme server");
  const requestDuration = new HistogramFamily("gptme_server_request_duration_seconds", "HTTP request latency in seconds", requestBuckets);
  const tokens = new CounterFamily("gptme_server_model_tokens_total", "Model tokens by provider and direction (input, output)");
  const cost = new CounterFamily("gptme_server_model_cost_dollars_total", "Model cost in US dollars by provider");
  const toolRuns = new CounterFamily("gptme_server_tool_runs_total", "Tool runs by tool and outcome");
  const toolDuration = new HistogramFamily("gptme_server_tool_run_duration_seconds", "Tool run duration in seconds by tool", toolBuckets);
  const sandboxStarts = new CounterFamily("gptme_server_sandbox_starts_total", "Conversation sandboxes started, by backend");
  let streams = 0;
  let generations = 0;

  const gauge = (name: string, help: string, value: number): MetricSnapshot => ({ name, help, type: "gauge", values: [{ labels: {}, value }] });
  const familyCount = 12;
  const snapshots = async (): Promise<MetricSnapshot[]> => {
    const store = await options.storeStatistics();
    return [
      requests.snapshot(),
      requestDuration.snapshot(),
      gauge("gptme_server_sse_connections_active", "Number of currently active SSE connections", streams),
      gauge("gptme_server_generations_active", "Number of model generations running now", generations),
      tokens.snapshot(),
      cost.snapshot(),
      toolRuns.snapshot(),
      toolDuration.snapshot(),
      sandboxStarts.snapshot(),
      gauge("gptme_server_conversations_total", "Total number of persisted conversations", store.conversations),
      gauge("gptme_server_messages_total", "Total number of messages across all conversations", store.messages),
      gauge("gptme_server_store_bytes", "Size of the conversation store on disk in bytes", store.bytes),
    ];
  };

  let registry: Promise<{ metrics(): Promise<string>; contentType: string }> | undefined;
  const loadRegistry = () =>
    (registry ??= import("prom-client").then(({ Registry, collectDefaultMetrics }) => {
      const created = new Registry();
      collectDefaultMetrics({ register: created });
      // Our families are snapshots (see above), handed to the registry as metrics it asks with `get`;
      // one store query per scrape: the first `get` takes the snapshot the others read.
      let latest: Promise<MetricSnapshot[]> | undefined;
      for (let index = 0; index < familyCount; index++) {
        const metric = {
          name: `gptme_family_${index}`,
          get: async () => {
            if (index === 0 || !latest) latest = snapshots();
            return (await latest)[index]!;
          },
        };
        created.registerMetric(metric as unknown as Parameters<typeof created.registerMetric>[0]);
      }
      return created;
    }));

  return {
    observeRequest(method, endpoint, status, seconds) {
      // Every request passes here: the labels objects are built only for a new series.
      const key = `${method}\u0000${endpoint}`;
      requests.addTo(`${key}\u0000${status}`, () => ({ method, endpoint, status: String(status) }));
      requestDuration.observeIn(key, () => ({ method, endpoint }), seconds);
    },
    streamOpened() {
      streams += 1;
      let open = true;
      return () => {
        if (open) streams -= 1;
        open = false;
      };
    },
    generationStarted() {
      generations += 1;
      let running = true;
      return () => {
        if (running) generations -= 1;
        running = false;
      };
    },
    observeModelUsage(provider, usage) {
      tokens.add({ provider, direction: "input" }, usage.inputTokens);
      tokens.add({ provider, direction: "output" }, usage.outputTokens);
      cost.add({ provider }, usage.cost);
    },
    observeToolRun(tool, outcome, seconds) {
      toolRuns.add({ tool, outcome });
      toolDuration.observe({ tool }, seconds);
    },
    sandboxStarted(backend) {
      sandboxStarts.add({ backend });
    },
    async render() {
      const loaded = await loadRegistry();
      return { contentType: loaded.contentType, body: await loaded.metrics() };
    },
  };
}
