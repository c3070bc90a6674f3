/** A small closed-loop HTTP load generator: N concurrent keep-alive clients for a fixed time. */
import { Agent, request } from "node:http";

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  /**
   * Requests per second of this process's CPU time (server and clients share the process). On a
   * loaded machine wall-clock rates swing with the CPU the scheduler hands out; this does not.
   */
  requestsPerCpuSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** One request over `agent` (keep-alive); resolves with the status once the body has been read. */
export function send(agent: Agent, url: URL, headers: Record<string, string>, method = "GET", body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers, method }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export interface LoadOptions {
  seconds: number;
  concurrency: number;
  headers?: Record<string, string>;
  /** Run after every `every`-th response (all clients counted together), before that client's next request. */
  between?: { every: number; action: () => Promise<void> };
}

export async function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        try {
          const status = await send(agent, target, options.headers ?? {});
          if (status !== 200) errors += 1;
        } catch {
          errors += 1;
        }
        latencies.push(performance.now() - begin);
        if (options.between && latencies.length % options.between.every === 0) await options.between.action();
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / elapsed,
    requestsPerCpuSecond: latencies.length / ((cpu.user + cpu.system) / 1e6),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    errors,
  };
}
