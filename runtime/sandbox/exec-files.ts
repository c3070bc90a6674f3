/**
 * File operations run by the sandbox itself: one short `sh` per operation through `exec`.
 *
 * Why not open the files from the server: the workspace is writable by the sandbox, so any path in
 * it may be a symlink (to the store, to `/proc/<server>/environ`). Resolved by the server, such a
 * link leaks what it points to, and checking the path first and opening it after is a race a
 * background process in the sandbox can win. Done inside, the kernel resolves every component in
 * the sandbox's own view, where those files do not exist. It costs one process start (a few ms for
 * `sh`, about 10 ms for a bubblewrap join here); the tools call it once or twice per use. The
 * scripts are POSIX sh (no GNU-only flags), so any backend's image can run them.
 */
import { SandboxFileError, type DirectoryEntry, type ExecOptions, type ExecResult, type FileErrorCode, type FileStat, type SandboxFiles } from "./types.js";

type Exec = (argv: string[], options?: ExecOptions) => Promise<ExecResult>;

/** Exit codes the scripts use for the errors tools tell apart. */
const CODES: Record<number, FileErrorCode> = { 2: "ENOENT", 3: "EACCES", 4: "EISDIR", 5: "EFBIG", 6: "EINVAL", 7: "ENOTDIR" };

const STAT = `p=$1
if [ -d "$p" ]; then echo directory
elif [ -f "$p" ]; then echo file; wc -c < "$p" || exit 3
elif [ -e "$p" ]; then echo other
else exit 2; fi`;

const READ = `p=$1
[ -e "$p" ] || exit 2
[ -d "$p" ] && exit 4
[ -f "$p" ] || exit 6
[ -r "$p" ] || exit 3
exec head -c "$2" -- "$p"`;

const WRITE = `p=$1 d=$(dirname -- "$1") existed=0 created=0
[ -d "$p" ] && exit 4
[ -e "$p" ] && existed=1
if [ ! -d "$d" ]; then
  [ -e "$d" ] && exit 7
  mkdir -p -- "$d" || exit 8
  created=1
fi
if [ "$2" = append ]; then cat >> "$p"; else cat > "$p"; fi || exit 8
echo "$existed $created"`;

// Globs for plain, dot and dot-dot-prefixed names; a pattern that matched nothing stays literal and fails the -e test.
const LIST = `p=$1
[ -e "$p" ] || exit 2
[ -d "$p" ] || exit 7
[ -r "$p" ] && [ -x "$p" ] || exit 3
for f in "$p"/* "$p"/.[!.]* "$p"/..?*; do
  [ -e "$f" ] || [ -L "$f" ] || continue
  if [ -d "$f" ]; then printf 'd%s\\0' "\${f##*/}"; else printf 'f%s\\0' "\${f##*/}"; fi
done`;

function failure(result: ExecResult, path: string): SandboxFileError {
  // The last line of stderr, without dash's "sh: 1: " prefix: "cannot create /x: Permission denied".
  const detail = result.stderr.toString("utf8").trim().split("\n").pop()?.replace(/^sh: \d+: /, "") || undefined;
  const known = result.code !== null ? CODES[result.code] : undefined;
  if (known) return new SandboxFileError(known, `${known}: ${REASONS[known]}: ${path}`);
  const code: FileErrorCode = detail?.includes("Permission denied") ? "EACCES" : "EIO";
  const why = detail ?? (result.timedOut ? "timed out" : result.code === null ? "killed" : `exit status ${result.code}`);
  return new SandboxFileError(code, `${code}: ${why} (${path})`);
}

const REASONS: Record<FileErrorCode, string> = {
  ENOENT: "No such file or directory",
  EACCES: "Permission denied",
  EISDIR: "Is a directory",
  ENOTDIR: "Not a directory",
  EFBIG: "File too large",
  EINVAL: "Not a regular file",
  EIO: "Input/output error",
};

export class ExecFiles implements SandboxFiles {
  constructor(
    private readonly exec: Exec,
    /** File operations are quick; a wedged one must not hang a tool forever. */
    private readonly timeoutMilliseconds = 60_000,
  ) {}

  private run(script: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(["sh", "-c", script, "sh", ...args], { cwd: "/", timeoutMilliseconds: this.timeoutMilliseconds, ...options });
  }

  async stat(path: string): Promise<FileStat | null> {
    const result = await this.run(STAT, [path]);
    if (result.code === 2) return null;
    if (result.code !== 0) throw failure(result, path);
    const [type, size] = result.stdout.toString("utf8").trim().split(/\s+/);
    return { type: type as FileStat["type"], size: Number(size ?? 0) };
  }

  async read(path: string, maxBytes: number): Promise<Buffer> {
    const result = await this.run(READ, [path, String(maxBytes + 1)], { maxOutputBytes: maxBytes + 1 });
    if (result.code !== 0) throw failure(result, path);
    if (result.stdout.length > maxBytes) throw new SandboxFileError("EFBIG", `EFBIG: File larger than ${maxBytes} bytes: ${path}`);
    return result.stdout;
  }

  async write(path: string, content: string, options: { append?: boolean } = {}) {
    const result = await this.run(WRITE, [path, options.append ? "append" : "replace"], { input: content });
    if (result.code !== 0) throw failure(result, path);
    const [existed, created] = result.stdout.toString("utf8").trim().split(" ");
    return { existed: existed === "1", createdFolder: created === "1" };
  }

  async list(path: string): Promise<DirectoryEntry[]> {
    const result = await this.run(LIST, [path]);
    if (result.code !== 0) throw failure(result, path);
    return result.stdout
      .toString("utf8")
      .split("\0")
      .filter((record) => record.length > 1)
      .map((record) => ({ name: record.slice(1), directory: record[0] === "d" }));
  }
}
