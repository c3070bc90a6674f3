/**
 * The filesystem a bubblewrap sandbox sees, as bwrap arguments.
 *
 * bwrap starts from an empty tmpfs root and applies mounts in order, later ones covering earlier
 * ones. The system goes in read-only first. Then, ordered by depth so a deeper mount always lands
 * on top of a shallower one: the private HOME, `/tmp` and output area, the tools' runtimes, the
 * workspace (read-write, same absolute path) and last the masks: an empty tmpfs (or /dev/null for a
 * file) over every secret the binds above would otherwise show (the data directory with the store,
 * the config directory with the keys, the database file, the other sandboxes' directories), e.g.
 * when the workspace is the server's home or the data directory sits inside the workspace. On top
 * of the masks, read-only: the conversation's own uploads (inside the data directory).
 */
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";

/** Read-only system directories; a symlink (`/bin -> usr/bin` on merged-/usr systems) is recreated as one. */
const SYSTEM_PATHS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];

export interface MountPlanInput {
  workspace: string;
  /** HOME inside, and the host directory behind it. */
  home: { inside: string; host: string };
  tmpHost: string;
  outputs: { inside: string; host: string };
  /** Host paths of secrets that must never be visible inside (files or directories). */
  secrets: string[];
  /** Extra read-only directories: the tools' runtimes (node's install dir, PATH entries). */
  readOnly: string[];
  /**
   * The conversation's own read-only places (its uploads), shown at their host paths even when a
   * secret (the data directory) covers their parent: they go on top of the masks.
   */
  shared?: string[];
}

interface Mount {
  destination: string;
  arguments: string[];
  /** Tie-break between mounts at the same depth: the higher one goes later (on top). */
  rank: number;
}

function isWithin(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function depth(target: string): number {
  return target.split("/").filter(Boolean).length;
}

function lstatOrUndefined(target: string) {
  try {
    return lstatSync(target);
  } catch {
    return undefined;
  }
}

/** The system part: read-only binds and merged-/usr symlinks, plus what /etc/resolv.conf points at. */
export function systemMounts(): { arguments: string[]; destinations: string[] } {
  const result: string[] = [];
  const destinations: string[] = [];
  for (const system of SYSTEM_PATHS) {
    const info = lstatOrUndefined(system);
    if (!info) continue;
    if (info.isSymbolicLink()) result.push("--symlink", readlinkSync(system), system);
    else if (info.isDirectory()) {
      result.push("--ro-bind", system, system);
      destinations.push(system);
    }
  }
  // systemd-resolved hosts link /etc/resolv.conf into /run, which is not bound: follow it.
  try {
    const resolver = realpathSync("/etc/resolv.conf");
    if (!destinations.some((destination) => isWithin(resolver, destination))) {
      result.push("--ro-bind", resolver, resolver);
      destinations.push(resolver);
    }
  } catch {
    // No resolver configuration: nothing to follow.
  }
  return { arguments: result, destinations };
}

/** Everything after the system mounts (see the file comment for the order). */
export function privateMounts(input: MountPlanInput, systemDestinations: string[]): string[] {
  const mounts: Mount[] = [
    { destination: input.home.inside, arguments: ["--bind", input.home.host, input.home.inside], rank: 0 },
    { destination: "/tmp", arguments: ["--bind", input.tmpHost, "/tmp"], rank: 1 },
  ];
  const visible = [...systemDestinations];
  for (const directory of input.readOnly) {
    if (!path.isAbsolute(directory) || !existsSync(directory)) continue;
    if (visible.some((destination) => isWithin(directory, destination))) continue;
    if (input.secrets.some((secret) => isWithin(directory, secret))) continue;
    mounts.push({ destination: directory, arguments: ["--ro-bind", directory, directory], rank: 2 });
    visible.push(directory);
  }
  mounts.push({ destination: input.workspace, arguments: ["--bind", input.workspace, input.workspace], rank: 3 });
  visible.push(input.workspace);
  mounts.push({ destination: input.outputs.inside, arguments: ["--bind", input.outputs.host, input.outputs.inside], rank: 4 });
  for (const secret of input.secrets) {
    if (!path.isAbsolute(secret) || !visible.some((destination) => isWithin(secret, destination))) continue;
    const info = lstatOrUndefined(secret);
    if (!info) continue;
    const mask = info.isDirectory() ? ["--tmpfs", secret] : ["--ro-bind", "/dev/null", secret];
    mounts.push({ destination: secret, arguments: mask, rank: 5 });
  }
  for (const directory of input.shared ?? []) {
    if (!path.isAbsolute(directory) || !existsSync(directory)) continue;
    mounts.push({ destination: directory, arguments: ["--ro-bind", directory, directory], rank: 6 });
  }
  mounts.sort((a, b) => depth(a.destination) - depth(b.destination) || a.rank - b.rank);
  return mounts.flatMap((mount) => mount.arguments);
}

/**
 * Where HOME is inside: the server's own HOME path (so `~/project` workspaces keep their paths),
 * backed by a private directory; `/home/gptme` when that path cannot be used.
 */
export function insideHome(serverHome: string | undefined): string {
  const home = serverHome && path.isAbsolute(serverHome) ? path.normalize(serverHome) : "";
  const reserved = ["/", "/tmp", "/proc", "/dev", "/sys", "/run", ...SYSTEM_PATHS];
  if (!home || reserved.some((directory) => isWithin(home, directory) && (directory !== "/" || home === "/"))) return "/home/gptme";
  return home;
}
