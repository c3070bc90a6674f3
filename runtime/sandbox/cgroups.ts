/**
 * Per-sandbox limits on processes and memory through cgroups, so a fork bomb or a runaway build
 * in one conversation cannot take the server down.
 *
 * - cgroup v2 (the unified hierarchy) where the server's own cgroup has the `pids` and `memory`
 *   controllers and is writable (delegated, e.g. a systemd user service, or the root of a
 *   container's cgroup namespace). v2 forbids processes in a cgroup whose controllers are handed to
 *   children, so the server first moves itself into a `gptme-server` leaf beside the sandboxes.
 * - cgroup v1 where the `pids` and `memory` hierarchies are writable (as root on cgroupfs hosts
 *   without systemd, like these machines): one group per sandbox in each, under the server's own.
 * - Otherwise none, and the caller says so; nothing is claimed silently.
 *
 * A sandbox's processes join by writing their pid to `cgroup.procs` before they exec (see the
 * bwrap backend), so nothing they start escapes the limit.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as delay } from "node:timers/promises";

export interface CgroupLimits {
  pids: number;
  memoryBytes: number;
}

export interface CgroupGroup {
  /** `cgroup.procs` files a process writes its pid into to join the group. */
  procsFiles: string[];
  /** Kills what is left in the group and removes it. */
  remove(): Promise<void>;
}

export interface CgroupSupport {
  available: boolean;
  /** What applies (`cgroup v1: 1024 processes, 2 GiB memory per conversation`) or why nothing does. */
  detail: string;
  create(name: string): CgroupGroup;
  /** Removes what the server created for itself at start (best effort, at shutdown). */
  dispose(): void;
}

export interface CgroupProbeOptions {
  limits: CgroupLimits;
  /** `/proc/self` (tests point this at a fake tree). */
  procSelf?: string;
  pid?: number;
  /** Distinguishes several managers in one process (tests); part of the v1 parent group's name. */
  instance?: string;
}

interface Mount {
  root: string;
  point: string;
  type: string;
  superOptions: string[];
}

function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [type, , options = ""] = right.split(" ");
    const unescape = (value: string) => value.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    mounts.push({ root: unescape(fields[3] ?? "/"), point: unescape(fields[4] ?? ""), type: type ?? "", superOptions: options.split(",") });
  }
  return mounts;
}

/** `/proc/self/cgroup` lines: `id:controllers:path`. */
function parseOwnGroups(text: string): Array<{ controllers: string[]; path: string }> {
  return text
    .split("\n")
    .map((line) => /^(\d+):([^:]*):(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ controllers: match[2] ? match[2].split(",") : [], path: match[3]! }));
}

function directoryOf(mount: Mount, ownPath: string): string | undefined {
  const relative = path.posix.relative(mount.root, ownPath);
  if (relative.startsWith("..")) return undefined;
  return path.join(mount.point, relative);
}

export function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  if (gib >= 1 && Number.isInteger(Math.round(gib * 10) / 10)) return `${Math.round(gib * 10) / 10} GiB`;
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function describe(version: string, limits: CgroupLimits): string {
  return `cgroup ${version}: at most ${limits.pids} processes and ${formatBytes(limits.memoryBytes)} of memory per conversation`;
}

function unavailable(detail: string): CgroupSupport {
  return {
    available: false,
    detail,
    create() {
      throw new Error(detail);
    },
    dispose() {},
  };
}

async function removeGroup(directory: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmdirSync(directory);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY") throw error;
    }
    for (const pid of readFileSync(path.join(directory, "cgroup.procs"), "utf8").split("\n").filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await delay(20);
  }
}

function probeV1(mounts: Mount[], own: ReturnType<typeof parseOwnGroups>, options: CgroupProbeOptions): CgroupSupport | string {
  const pid = options.pid ?? process.pid;
  const parents: Record<"pids" | "memory", string> = { pids: "", memory: "" };
  for (const controller of ["pids", "memory"] as const) {
    const mount = mounts.find((candidate) => candidate.type === "cgroup" && candidate.superOptions.includes(controller));
    const group = own.find((candidate) => candidate.controllers.includes(controller));
    if (!mount || !group) return `cgroup v1: no ${controller} hierarchy`;
    const directory = directoryOf(mount, group.path);
    if (!directory) return `cgroup v1: the ${controller} group is outside its mount`;
    parents[controller] = path.join(directory, `gptme-${pid}${options.instance ? `-${options.instance}` : ""}`);
  }
  const limitFiles = (directory: string, controller: "pids" | "memory"): Array<[string, string]> => {
    if (controller === "pids") return [["pids.max", String(options.limits.pids)]];
    const files: Array<[string, string]> = [["memory.limit_in_bytes", String(options.limits.memoryBytes)]];
    // With swap accounting, memory+swap gets the same cap, so the hog cannot escape into swap.
    if (existsSync(path.join(directory, "memory.memsw.limit_in_bytes"))) files.push(["memory.memsw.limit_in_bytes", String(options.limits.memoryBytes)]);
    return files;
  };
  const create = (name: string): CgroupGroup => {
    const directories: string[] = [];
    for (const controller of ["pids", "memory"] as const) {
      const directory = path.join(parents[controller], name);
      mkdirSync(directory, { recursive: true });
      directories.push(directory);
      for (const [file, value] of limitFiles(directory, controller)) writeFileSync(path.join(directory, file), value);
    }
    return {
      procsFiles: directories.map((directory) => path.join(directory, "cgroup.procs")),
      remove: async () => {
        for (const directory of directories) await removeGroup(directory);
      },
    };
  };
  try {
    void create("probe").remove().catch(() => {});
  } catch (error) {
    return `cgroup v1 is not writable here (${(error as Error).message.split("\n")[0]})`;
  }
  const dispose = () => {
    for (const parent of Object.values(parents)) {
      try {
        rmdirSync(parent);
      } catch {
        // Still in use or already gone.
      }
    }
  };
  return { available: true, detail: describe("v1", options.limits), create, dispose };
}

function probeV2(mounts: Mount[], own: ReturnType<typeof parseOwnGroups>, options: CgroupProbeOptions): CgroupSupport | string {
  const mount = mounts.find((candidate) => candidate.type === "cgroup2");
  const group = own.find((candidate) => candidate.controllers.length === 0 && candidate.path.startsWith("/"));
  if (!mount || !group) return "no cgroup v2 hierarchy";
  const directory = directoryOf(mount, group.path);
  if (!directory) return "cgroup v2: the server's group is outside its mount";
  const read = (file: string) => readFileSync(path.join(directory, file), "utf8").trim().split(/\s+/);
  let controllers: string[];
  try {
    controllers = read("cgroup.controllers");
  } catch {
    return `cgroup v2: cannot read ${directory}`;
  }
  if (!controllers.includes("pids") || !controllers.includes("memory")) {
    return `cgroup v2: the pids and memory controllers are not delegated to ${directory}`;
  }
  try {
    const enabled = read("cgroup.subtree_control");
    if (!enabled.includes("pids") || !enabled.includes("memory")) {
      // Processes may not live in a group that hands controllers to children: move the server out first.
      const leaf = path.join(directory, "gptme-server");
      mkdirSync(leaf, { recursive: true });
      writeFileSync(path.join(leaf, "cgroup.procs"), String(options.pid ?? process.pid));
      appendFileSync(path.join(directory, "cgroup.subtree_control"), "+pids +memory");
    }
  } catch (error) {
    return `cgroup v2: cannot enable the pids and memory controllers in ${directory} (${(error as Error).message.split("\n")[0]})`;
  }
  const parent = directory;
  const create = (name: string): CgroupGroup => {
    const child = path.join(parent, `gptme-sandbox-${name}`);
    mkdirSync(child, { recursive: true });
    writeFileSync(path.join(child, "pids.max"), String(options.limits.pids));
    writeFileSync(path.join(child, "memory.max"), String(options.limits.memoryBytes));
    if (existsSync(path.join(child, "memory.swap.max"))) writeFileSync(path.join(child, "memory.swap.max"), "0");
    return { procsFiles: [path.join(child, "cgroup.procs")], remove: () => removeGroup(child) };
  };
  try {
    void create(`probe-${options.pid ?? process.pid}`).remove().catch(() => {});
  } catch (error) {
    return `cgroup v2: cannot create a group in ${directory} (${(error as Error).message.split("\n")[0]})`;
  }
  return { available: true, detail: describe("v2", options.limits), create, dispose() {} };
}

/** Finds a writable cgroup hierarchy for per-sandbox limits, v2 first. */
export function probeCgroups(options: CgroupProbeOptions): CgroupSupport {
  const procSelf = options.procSelf ?? "/proc/self";
  let mounts: Mount[];
  let own: ReturnType<typeof parseOwnGroups>;
  try {
    mounts = parseMountinfo(readFileSync(path.join(procSelf, "mountinfo"), "utf8"));
    own = parseOwnGroups(readFileSync(path.join(procSelf, "cgroup"), "utf8"));
  } catch {
    return unavailable("no cgroups on this system: processes and memory are not limited");
  }
  const v2 = probeV2(mounts, own, options);
  if (typeof v2 !== "string") return v2;
  const v1 = probeV1(mounts, own, options);
  if (typeof v1 !== "string") return v1;
  return unavailable(`no writable cgroup (${v2}; ${v1}): processes and memory are not limited`);
}
