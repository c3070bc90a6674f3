/**
 * `--exit-on-parent-death` / `--watch-pid` (gptme's flags): a server started by another program
 * (npm, an editor, a desktop app) goes away with it instead of holding its port as an orphan.
 */

/** Whether `pid` is a live process we may signal (EPERM: recycled by another user, so not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface ParentWatch {
  /** Watch the parent this process has now: gone when it dies or this process is reparented. */
  parent: boolean;
  /** Also watch this process id. */
  pid?: number;
  intervalMs?: number;
}

/**
 * Calls `onGone` once, with the pid that went away, when a watched process is gone. Watches
 * nothing (returns null) when there is nothing meaningful to watch: pids 0 and 1 (already an orphan,
 * or run directly under init, as in a container).
 */
export function watchParent(options: ParentWatch, onGone: (pid: number) => void): (() => void) | null {
  const parent = options.parent ? process.ppid : 0;
  const pids = [parent, options.pid ?? 0].filter((pid) => pid > 1);
  if (pids.length === 0) return null;
  const timer = setInterval(() => {
    const gone = pids.find((pid) => (pid === parent && process.ppid !== parent) || !processAlive(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, options.intervalMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
}
