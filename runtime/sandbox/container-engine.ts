/**
 * The Docker Engine API the `container` backend talks to: Docker, or Podman's compatible service
 * (`podman system service`), on this host or another (`DOCKER_HOST`).
 *
 * The server starts synchronously, and which backend it uses (and which programs its tools can
 * run) must be known before it answers: so the start-up probe runs once in a short child `node`
 * that speaks plain HTTP to the engine (node built-ins only, no module to resolve), and everything
 * after it goes through dockerode.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { createRequire } from "node:module";
import path from "node:path";
import type Docker from "dockerode";

// dockerode (with ssh2 and grpc under it) is loaded only when the container backend is chosen:
// every other start stays as light as before.
const requireModule = createRequire(import.meta.url);
function dockerode(): typeof Docker {
  return requireModule("dockerode") as typeof Docker;
}

export interface EngineAddress {
  /** `unix:///var/run/docker.sock`, `tcp://host:2376`... as given. */
  display: string;
  socketPath?: string;
  host?: string;
  port?: number;
  protocol: "http" | "https";
  /** TLS files from `DOCKER_CERT_PATH` when `DOCKER_TLS_VERIFY` is set. */
  tls?: { ca: string; cert: string; key: string };
  /** Not this host's engine: the workspace cannot be bind-mounted, it lives in a named volume. */
  remote: boolean;
}

const DEFAULT_SOCKET = "/var/run/docker.sock";

/** Where the engine is: `DOCKER_HOST` (unix:// or tcp://), else Docker's default socket. */
export function engineAddress(env: NodeJS.ProcessEnv): EngineAddress {
  const value = env.DOCKER_HOST?.trim() || `unix://${DEFAULT_SOCKET}`;
  const forcedRemote = env.GPTME_SANDBOX_REMOTE_ENGINE === "1";
  if (value.startsWith("unix://")) return { display: value, socketPath: value.slice("unix://".length), protocol: "http", remote: forcedRemote };
  const url = new URL(value.replace(/^tcp:\/\//, "http://"));
  const verify = env.DOCKER_TLS_VERIFY && env.DOCKER_TLS_VERIFY !== "0";
  const certs = env.DOCKER_CERT_PATH;
  const tls = verify && certs ? { ca: path.join(certs, "ca.pem"), cert: path.join(certs, "cert.pem"), key: path.join(certs, "key.pem") } : undefined;
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return {
    display: value,
    host: url.hostname,
    port: Number(url.port || (tls ? 2376 : 2375)),
    protocol: tls || url.protocol === "https:" ? "https" : "http",
    tls,
    remote: forcedRemote || !local,
  };
}

export function dockerClient(address: EngineAddress): Docker {
  const Docker = dockerode();
  if (address.socketPath) return new Docker({ socketPath: address.socketPath });
  const tls = address.tls ? { ca: readFileSync(address.tls.ca), cert: readFileSync(address.tls.cert), key: readFileSync(address.tls.key) } : {};
  return new Docker({ host: address.host, port: address.port, protocol: address.protocol, ...tls });
}

export interface EngineProbe {
  ok: boolean;
  reason?: string;
  fix?: string;
  /** `Podman Engine` or `Engine` (Docker). */
  engine?: string;
  /** Of the names asked for, those the image's PATH has. */
  programs: string[];
}

/**
 * Runs in a child node: pings the engine, checks the image exists, then runs it once (a
 * throwaway container, removed after) to list which of the programs its PATH has. Answers JSON.
 */
const PROBE_SCRIPT = String.raw`
const http = require("node:http"), https = require("node:https"), fs = require("node:fs");
let input = ""; process.stdin.on("data", (c) => (input += c)).on("end", main);
function request(address, method, path, body) {
  return new Promise((resolve, reject) => {
    const options = { method, path, headers: { "content-type": "application/json" }, timeout: 30000 };
    if (address.socketPath) options.socketPath = address.socketPath;
    else Object.assign(options, { host: address.host, port: address.port });
    if (address.tls) Object.assign(options, { ca: fs.readFileSync(address.tls.ca), cert: fs.readFileSync(address.tls.cert), key: fs.readFileSync(address.tls.key) });
    const req = (address.protocol === "https" ? https : http).request(options, (res) => {
      const chunks = []; res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on("timeout", () => req.destroy(new Error("the engine did not answer in 30 s")));
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}
async function main() {
  const { address, image, programs, remove, stale } = JSON.parse(input);
  const out = (o) => process.stdout.write(JSON.stringify(o));
  if (remove) {
    await Promise.all(remove.map((id) => request(address, "DELETE", "/containers/" + id + "?force=1").catch(() => {})));
    return out({ ok: true });
  }
  let version;
  try { version = await request(address, "GET", "/version"); }
  catch (e) { return out({ ok: false, stage: "connect", reason: e.message }); }
  if (version.status !== 200) return out({ ok: false, stage: "connect", reason: "GET /version answered " + version.status });
  const engine = ((JSON.parse(version.body).Components || [])[0] || {}).Name || "Engine";
  // Containers a killed server of this host left behind (its pid is gone).
  const filters = encodeURIComponent(JSON.stringify({ label: ["gptme.sandbox.host=" + stale.host] }));
  const listed = await request(address, "GET", "/containers/json?all=1&filters=" + filters).catch(() => undefined);
  for (const container of listed && listed.status === 200 ? JSON.parse(listed.body) : []) {
    const pid = Number((container.Labels || {})["gptme.sandbox.pid"]);
    let alive = true;
    try { process.kill(pid, 0); } catch (e) { alive = e.code !== "ESRCH"; }
    if (pid && !alive) await request(address, "DELETE", "/containers/" + container.Id + "?force=1").catch(() => {});
  }
  const inspect = await request(address, "GET", "/images/" + encodeURIComponent(image) + "/json");
  if (inspect.status !== 200) return out({ ok: false, stage: "image", engine, reason: "image " + image + " not found (" + inspect.status + ")" });
  const script = 'for p in "$@"; do command -v "$p" >/dev/null 2>&1 && echo "$p"; done';
  const created = await request(address, "POST", "/containers/create", {
    Image: image, Entrypoint: ["sh", "-c", script, "sh", ...programs], Cmd: [], Tty: true,
    Labels: { "gptme.sandbox": "probe" }, HostConfig: { NetworkMode: "none" },
  });
  if (created.status !== 201) return out({ ok: false, stage: "run", engine, reason: "cannot create a container: " + created.body.toString().slice(0, 300) });
  const id = JSON.parse(created.body).Id;
  try {
    const started = await request(address, "POST", "/containers/" + id + "/start");
    if (started.status >= 300) return out({ ok: false, stage: "run", engine, reason: "cannot start a container: " + started.body.toString().slice(0, 300) });
    await request(address, "POST", "/containers/" + id + "/wait");
    const logs = await request(address, "GET", "/containers/" + id + "/logs?stdout=1&stderr=1");
    const found = logs.body.toString().split(/\r?\n/).map((l) => l.trim()).filter((l) => programs.includes(l));
    out({ ok: true, engine, programs: found });
  } finally {
    await request(address, "DELETE", "/containers/" + id + "?force=1").catch(() => {});
  }
}
`;

function runProbeScript(input: unknown, timeout: number) {
  return spawnSync(process.execPath, ["-e", PROBE_SCRIPT], {
    input: JSON.stringify(input),
    encoding: "utf8",
    timeout,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
}

/** The labels every sandbox container of this server carries (`stale` removal finds them by these). */
export function serverLabels(): Record<string, string> {
  return { "gptme.sandbox.host": hostname(), "gptme.sandbox.pid": String(process.pid) };
}

/** Force-removes containers synchronously (at process exit), bounded. */
export function removeContainersNow(address: EngineAddress, ids: string[]): void {
  if (ids.length > 0) runProbeScript({ address, remove: ids }, 15_000);
}

/** Synchronous: see the file comment. Also removes containers a killed server of this host left. */
export function probeEngine(address: EngineAddress, image: string, programs: string[]): EngineProbe {
  const run = spawnSync(process.execPath, ["-e", PROBE_SCRIPT], {
    input: JSON.stringify({ address, image, programs, stale: { host: hostname() } }),
    encoding: "utf8",
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  let answer: { ok: boolean; stage?: string; reason?: string; engine?: string; programs?: string[] };
  try {
    answer = JSON.parse(run.stdout);
  } catch {
    return { ok: false, reason: `the engine probe failed: ${(run.stderr || run.error?.message || "no answer").trim().slice(0, 300)}`, fix: "check DOCKER_HOST", programs: [] };
  }
  if (answer.ok) return { ok: true, engine: answer.engine, programs: answer.programs ?? [] };
  const fix =
    answer.stage === "connect"
      ? `start the engine (or podman system service --time=0 unix:///run/podman.sock) and set DOCKER_HOST (now ${address.display})`
      : answer.stage === "image"
        ? `build it: docker build -f Dockerfile -t gptme-base . (or set GPTME_SANDBOX_IMAGE)`
        : "see the engine's log";
  return { ok: false, reason: `${answer.reason} at ${address.display}`, fix, engine: answer.engine, programs: [] };
}
