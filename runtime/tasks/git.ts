/** The git a task needs: cloning its target repository and reading a workspace's status. */
import { execFile } from "node:child_process";

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs git without a terminal prompt (a private repository fails instead of hanging). */
function git(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      "git",
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 4 * 1024 * 1024,
        env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true" },
      },
      (error, stdout, stderr) => resolve({ ok: !error, stdout: String(stdout), stderr: String(stderr || (error?.message ?? "")) }),
    );
  });
}

export async function cloneRepository(url: string, destination: string, timeoutMs = 300_000): Promise<void> {
  const result = await git(["clone", "--", url, destination], { timeoutMs });
  if (!result.ok) throw new Error(result.stderr.trim().split("\n").at(-1) || `git clone ${url} failed`);
}

/** gptme's task `git` info (no pull-request fields: there is no forge client here). */
export interface GitStatus {
  branch: string | null;
  clean: boolean | null;
  files: string[];
  remote_url: string | null;
  pr_url: string | null;
  pr_status: string | null;
  pr_merged: boolean | null;
  diff_stats?: { files_changed: number; lines_added: number; lines_removed: number };
  recent_commits?: string[];
  error?: string;
}

export async function gitStatus(directory: string): Promise<GitStatus> {
  const empty = { branch: null, clean: null, files: [], remote_url: null, pr_url: null, pr_status: null, pr_merged: null };
  const inside = await git(["rev-parse", "--git-dir"], { cwd: directory });
  if (!inside.ok) return { ...empty, error: `Not a git repository: ${directory}` };
  const [branch, status, remote] = await Promise.all([
    git(["branch", "--show-current"], { cwd: directory }),
    git(["status", "--porcelain"], { cwd: directory }),
    git(["config", "--get", "remote.origin.url"], { cwd: directory }),
  ]);
  let upstream: string | null = null;
  for (const candidate of ["origin/main", "origin/master", "origin/develop"]) {
    if ((await git(["rev-parse", "--verify", "--quiet", candidate], { cwd: directory })).ok) {
      upstream = candidate;
      break;
    }
  }
  const diffStats = { files_changed: 0, lines_added: 0, lines_removed: 0 };
  let commits: string[] = [];
  if (upstream) {
    const diff = await git(["diff", "--shortstat", upstream, "HEAD"], { cwd: directory });
    const summary = diff.stdout;
    diffStats.files_changed = Number(/(\d+) files? changed/.exec(summary)?.[1] ?? 0);
    diffStats.lines_added = Number(/(\d+) insertions?\(\+\)/.exec(summary)?.[1] ?? 0);
    diffStats.lines_removed = Number(/(\d+) deletions?\(-\)/.exec(summary)?.[1] ?? 0);
    commits = (await git(["log", "--oneline", `${upstream}..HEAD`], { cwd: directory })).stdout.split("\n").filter(Boolean);
  } else {
    commits = (await git(["log", "--oneline", "-5"], { cwd: directory })).stdout.split("\n").filter(Boolean);
  }
  const files = status.ok ? status.stdout.split("\n").map((line) => line.trim()).filter(Boolean) : [];
  return {
    branch: branch.ok ? branch.stdout.trim() || null : null,
    clean: files.length === 0,
    files,
    remote_url: remote.ok ? remote.stdout.trim() || null : null,
    pr_url: null,
    pr_status: null,
    pr_merged: null,
    diff_stats: diffStats,
    recent_commits: commits,
  };
}
