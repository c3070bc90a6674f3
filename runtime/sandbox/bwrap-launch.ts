/**
 * Starting bwrap from the server, and reading what it reports. Separate from the sandbox's logic
 * because each piece works around a detail of Node, bash or bwrap.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";

/**
 * Runs before bwrap: closes every descriptor but stdio and the ones bwrap is handed (3 to 5), then
 * joins the sandbox's cgroup (its `cgroup.procs` files are the first `$1` arguments), then execs
 * the rest. Node passes on whatever descriptors the server inherited without close-on-exec (a
 * supervisor's pipes, activated sockets); bwrap passes them on too, into the sandbox. bash, not
 * sh: dash cannot name a descriptor above 9. Joining first means nothing bwrap starts runs outside
 * the limits. Last, if the server died meanwhile (our parent is no longer the one we started
 * with), bwrap's --die-with-parent would watch the wrong parent: give up instead.
 */
const LAUNCHER = `for f in /proc/$$/fd/*; do n=\${f##*/}; case $n in [0-5]) ;; *) eval "exec $n>&-" 2>/dev/null ;; esac; done
n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done
read -r -a stat < /proc/$$/stat; [ "\${stat[3]}" = "$PPID" ] || exit 125
exec "$@"`;

/** The first `child-pid` bwrap reports on its JSON status fd; undefined when it fails before that. */
export function childPid(stream: Readable | null | undefined): Promise<number | undefined> {
  if (!stream) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid":\s*(\d+)/.exec(text);
      if (match) {
        stream.off("data", onData);
        stream.resume();
        resolve(Number(match[1]));
      }
    };
    stream.on("data", onData);
    stream.once("close", () => resolve(undefined));
    stream.once("error", () => resolve(undefined));
  });
}

/** Whether `stream` starts with the line `expected` (false if it ends first). */
export function firstLine(stream: Readable | null, expected: string): Promise<boolean> {
  if (!stream) return Promise.resolve(false);
  return new Promise((resolve) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (!text.includes("\n")) return;
      stream.off("data", onData);
      stream.resume();
      resolve(text.startsWith(`${expected}\n`));
    };
    stream.on("data", onData);
    stream.once("close", () => resolve(false));
  });
}

export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/**
 * bwrap through the launcher. `--norc`: bash reads ~/.bashrc when run with -c on a socket stdin
 * (Node's pipes are socketpairs), and this bash runs on the host, with the server's HOME.
 */
export function launchBwrap(
  bwrap: string,
  bwrapArguments: string[],
  options: { stdio: Array<"pipe" | "ignore" | number>; env: Record<string, string>; cgroupProcsFiles: string[] },
): ChildProcess {
  const files = options.cgroupProcsFiles;
  return spawn("bash", ["--norc", "--noprofile", "-c", LAUNCHER, "bash", String(files.length), ...files, bwrap, ...bwrapArguments], {
    stdio: options.stdio,
    env: options.env,
    detached: true,
  });
}
