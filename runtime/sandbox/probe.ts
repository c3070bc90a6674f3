/**
 * Which backend the server actually uses. The requested (or default) one is tried; when it cannot
 * work here the server starts anyway with the best one that does, and the report carries a loud
 * warning with the one line that fixes it. Nothing falls back silently.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { systemMounts } from "./bwrap-mounts.js";
import type { CgroupSupport } from "./cgroups.js";
import { engineAddress, probeEngine, type EngineAddress, type EngineProbe } from "./container-engine.js";
import { DEFAULT_USER_HELPER, probeUserHelper } from "./user-sandbox.js";
import type { SandboxBackendName, SandboxReport } from "./report.js";
import type { SandboxSettings } from "./settings.js";

export type ChosenBackend = "bwrap" | "container" | "user" | "none";

export interface ProbeResult {
  ok: boolean;
  /** Why it failed and the one line that fixes it. */
  reason?: string;
  fix?: string;
}

function sysctl(name: string): string | undefined {
  try {
    return readFileSync(`/proc/sys/${name.replaceAll(".", "/")}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The likely fix for a bwrap failure, from its message and the host's sysctls. */
function bwrapFix(stderr: string): string {
  if (sysctl("user.max_user_namespaces") === "0") return "sudo sysctl -w user.max_user_namespaces=15000";
  if (sysctl("kernel.unprivileged_userns_clone") === "0") return "sudo sysctl -w kernel.unprivileged_userns_clone=1";
  if (sysctl("kernel.apparmor_restrict_unprivileged_userns") === "1") return "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0";
  if (/proc/i.test(stderr)) return "in a container, start it with --security-opt systempaths=unconfined (Docker) or --security-opt unmask=/proc/* (Podman)";
  if (/Operation not permitted|namespace/i.test(stderr)) return "allow unprivileged user namespaces (in a container: a seccomp profile that permits them), or pass --sandbox none to run tools unsandboxed";
  return "see the Sandbox section of the README, or pass --sandbox none to run tools unsandboxed";
}

const probed = new Map<string, ProbeResult>();

const probing = new Map<string, Promise<ProbeResult>>();

function probeArguments(): string[] {
  return ["--unshare-user", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--clearenv", ...systemMounts().arguments, "--proc", "/proc", "--dev", "/dev", "--", "true"];
}

function probeOutcome(status: number | null, stderr: string, error: Error | undefined): ProbeResult {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    return { ok: false, reason: "bubblewrap is not installed", fix: "sudo apt-get install bubblewrap (Debian, Ubuntu) or sudo dnf install bubblewrap (Fedora)" };
  }
  if (status !== 0) {
    const message = (stderr || error?.message || `exit ${status}`).trim();
    return { ok: false, reason: `bwrap fails here: ${message}`, fix: bwrapFix(message) };
  }
  return { ok: true };
}

const notLinux = (): ProbeResult => ({ ok: false, reason: `bubblewrap needs Linux (this is ${process.platform})`, fix: "run the server on Linux, or in a Linux container" });

/** Starts a throwaway sandbox with the namespaces and mounts the real ones use. Cached per process. */
export function probeBwrap(bwrap = "bwrap"): ProbeResult {
  const cached = probed.get(bwrap);
  if (cached) return cached;
  let result: ProbeResult;
  if (process.platform !== "linux") {
    result = notLinux();
  } else {
    const run = spawnSync(bwrap, probeArguments(), { encoding: "utf8", timeout: 10_000, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    result = probeOutcome(run.status, run.stderr ?? "", run.error);
  }
  probed.set(bwrap, result);
  return result;
}

/** Waits for the probes `startBwrapProbe` started (none: resolves at once). */
export async function bwrapProbesSettled(): Promise<void> {
  await Promise.all(probing.values());
}

/**
 * The same probe without blocking: the server starts it first thing, so the throwaway sandbox
 * (tens of ms) runs while the server loads its code; `probeBwrap` then answers from the cache.
 */
export function startBwrapProbe(bwrap = "bwrap"): Promise<ProbeResult> {
  const cached = probed.get(bwrap);
  if (cached) return Promise.resolve(cached);
  const running = probing.get(bwrap);
  if (running) return running;
  const promise = new Promise<ProbeResult>((resolve) => {
    if (process.platform !== "linux") return resolve(notLinux());
    let stderr = "";
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(bwrap, probeArguments(), { stdio: ["ignore", "ignore", "pipe"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    timer.unref();
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("error", (error) => finish(probeOutcome(null, stderr, error)));
    child.once("close", (status) => finish(probeOutcome(status, stderr, undefined)));
  }).then((result) => {
    probed.set(bwrap, result);
    probing.delete(bwrap);
    return result;
  });
  probing.set(bwrap, promise);
  return promise;
}

export interface BackendChoice {
  backend: ChosenBackend;
  report: SandboxReport;
  /** Set for `container`: the engine answered and the image ran. */
  engine?: { address: EngineAddress; probe: EngineProbe };
  /** Set for `user`: the helper and the tools user's HOME. */
  user?: { helper: string; home: string };
}

const NOT_ISOLATED =
  "tools are NOT isolated: they run as the server's user and can read its token, the provider keys, the store and every conversation's files";

function bwrapReport(settings: SandboxSettings, cgroups: CgroupSupport, warning: string | null): SandboxReport {
  return {
    backend: "bwrap",
    isolated: true,
    isolates: ["filesystem", "processes", "environment", "other conversations", ...(settings.network === "none" ? ["network"] : [])],
    limits: { available: cgroups.available, detail: cgroups.detail },
    network: settings.network,
    warning,
  };
}

function containerReport(settings: SandboxSettings, address: EngineAddress, probe: EngineProbe): SandboxReport {
  const { pids, memoryBytes } = settings.limits;
  const cpus = settings.container.cpus ? `, ${settings.container.cpus} CPUs` : "";
  return {
    backend: "container",
    isolated: true,
    isolates: ["filesystem", "processes", "environment", "other conversations", ...(settings.network === "none" ? ["network"] : [])],
    limits: {
      available: true,
      detail: `${pids} processes, ${Math.round(memoryBytes / 1024 ** 2)} MiB memory${cpus} per conversation (set by ${probe.engine ?? "the engine"})`,
    },
    network: settings.network,
    warning: address.remote ? `the engine at ${address.display} is remote: workspaces live in its volumes (gptme-workspace-<conversation>), not in this host's folders, and uploads are not shown to the tools` : null,
  };
}

const USER_CAVEAT =
  "the user backend protects the server (its token, keys, store and processes) but not conversations from each other: their tools share one user and can read and change each other's workspaces";

function userReport(settings: SandboxSettings, warning: string | null): SandboxReport {
  return {
    backend: "user",
    isolated: true,
    isolates: ["server's token and keys", "store", "server's processes", "environment"],
    limits: {
      available: true,
      detail: `rlimits: ${settings.limits.pids} processes for all conversations together, ${Math.round(settings.limits.memoryBytes / 1024 ** 2)} MiB address space per process`,
    },
    network: "on",
    warning: [warning, USER_CAVEAT, settings.network === "none" ? "--sandbox-network none has no effect with the user backend" : null].filter(Boolean).join("; ") + ".",
  };
}

function noneReport(warning: string | null): SandboxReport {
  return { backend: "none", isolated: false, isolates: [], limits: { available: false, detail: "the none backend sets no limits" }, network: "on", warning };
}

/**
 * The backend to use. `cgroups` is probed only for bwrap (`none` applies no limits), hence a
 * callback.
 */
export function chooseBackend(
  settings: SandboxSettings,
  probeCgroups: () => CgroupSupport,
  bwrap?: string,
  engine?: { env: NodeJS.ProcessEnv; programs: string[] },
): BackendChoice {
  let containerFailure: string | undefined;
  if (settings.backend === "container") {
    const address = engineAddress(engine?.env ?? process.env);
    const probe = probeEngine(address, settings.container.image, engine?.programs ?? []);
    if (probe.ok) return { backend: "container", report: containerReport(settings, address, probe), engine: { address, probe } };
    containerFailure = `the container backend cannot work here (${probe.reason}; fix: ${probe.fix})`;
  }
  const networkIgnored = settings.network === "none" ? " --sandbox-network none has no effect without a sandbox." : "";
  if (settings.backend === "none") {
    const warning = settings.explicit ? `${NOT_ISOLATED} (--sandbox none).${networkIgnored}` : networkIgnored.trim() || null;
    return { backend: "none", report: noneReport(warning) };
  }
  let unavailable: string | undefined = containerFailure;
  const userHelper = engine?.env.GPTME_SANDBOX_USER_HELPER?.trim() || DEFAULT_USER_HELPER;
  if (settings.backend === "user") {
    const probe = probeUserHelper(userHelper);
    if (probe.ok) return { backend: "user", report: userReport(settings, null), user: { helper: userHelper, home: probe.home } };
    unavailable = `the user backend cannot work here (${probe.reason})`;
  }
  const bwrapProbe = probeBwrap(bwrap);
  if (!unavailable && bwrapProbe.ok) return { backend: "bwrap", report: bwrapReport(settings, probeCgroups(), null) };
  if (unavailable && bwrapProbe.ok) {
    return { backend: "bwrap", report: bwrapReport(settings, probeCgroups(), `${unavailable}; using bwrap instead.`) };
  }
  // bwrap cannot work: the user backend, where its helper is installed (the server image), still protects the server.
  if (settings.backend === "bwrap") {
    const probe = probeUserHelper(userHelper);
    if (probe.ok) {
      const warning = `bwrap cannot work here (${bwrapProbe.reason}; fix: ${bwrapProbe.fix}), so the user backend runs the tools instead`;
      return { backend: "user", report: userReport(settings, warning), user: { helper: userHelper, home: probe.home } };
    }
  }
  const requested: SandboxBackendName = settings.backend;
  const why = unavailable ?? bwrapProbe.reason;
  return {
    backend: "none",
    report: noneReport(`the ${requested} sandbox cannot work here (${why}), so ${NOT_ISOLATED}. Fix: ${bwrapProbe.fix}.${networkIgnored}`),
  };
}
