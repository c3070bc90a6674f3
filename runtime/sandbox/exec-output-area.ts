/**
 * The output area of a sandbox whose files the server cannot open (a container on a remote
 * engine): every operation is one short `sh` inside. Names are checked as for the host area, and
 * the scripts never follow a symlink the sandbox planted (`-L` checks, `set -C` for creation):
 * inside, a link reaches only the sandbox's own files anyway.
 */
import path from "node:path";
import type { ExecOptions, ExecResult, OutputArea } from "./types.js";

type Exec = (argv: string[], options?: ExecOptions) => Promise<ExecResult>;

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

function checkedName(name: string): string {
  if (!SAFE_NAME.test(name) || name === "." || name === "..") throw new Error(`Invalid output file name: ${name}`);
  return name;
}

const REGULAR = `[ -f "$1" ] && [ ! -L "$1" ] || exit 2`;

export class ExecOutputArea implements OutputArea {
  constructor(
    private readonly exec: Exec,
    readonly directory: string,
  ) {}

  path(name: string): string {
    return path.posix.join(this.directory, checkedName(name));
  }

  private run(script: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(["sh", "-c", script, "sh", ...args], { cwd: "/", timeoutMilliseconds: 60_000, ...options });
  }

  async size(name: string): Promise<number> {
    const result = await this.run(`${REGULAR}; wc -c < "$1"`, [this.path(name)]);
    return result.code === 0 ? Number(result.stdout.toString("utf8").trim()) || 0 : 0;
  }

  async read(name: string, offset: number, length: number): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    const result = await this.run(`${REGULAR}; tail -c +$(($2 + 1)) "$1" | head -c "$3"`, [this.path(name), String(offset), String(length)], {
      maxOutputBytes: length,
    });
    return result.code === 0 ? result.stdout.subarray(0, length) : Buffer.alloc(0);
  }

  async write(name: string, content: string | Uint8Array): Promise<string> {
    const file = this.path(name);
    const result = await this.run(`mkdir -p "$(dirname "$1")" && set -C && cat > "$1"`, [file], { input: content });
    if (result.code !== 0) throw new Error(`Cannot write ${file}: ${result.stderr.toString("utf8").trim()}`);
    return file;
  }

  async truncate(name: string, size: number): Promise<void> {
    await this.run(`${REGULAR}; truncate -s "$2" "$1"`, [this.path(name), String(size)]);
  }

  async remove(name: string): Promise<void> {
    await this.run(`rm -f "$1"`, [this.path(name)]);
  }
}
