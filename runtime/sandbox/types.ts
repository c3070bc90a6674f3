/**
 * The one way tools reach processes and files: a conversation's sandbox.
 *
 * Everything here works over stdio pipes and argv, so a backend may be a local namespace
 * (bubblewrap), a container (`docker exec`), a uid-switching helper or nothing at all. Paths are
 * always paths as the sandbox sees them; the workspace has the same absolute path inside and out.
 * Nothing here passes file descriptors or assumes the server can open the sandbox's files itself.
 */
import type { Readable, Writable } from "node:stream";
import type { SandboxBackendName } from "./report.js";

export interface SpawnOptions {
  /** Inside path; default the workspace. */
  cwd?: string;
  /** Added to (and overriding) the sandbox's own environment for this process. */
  env?: Record<string, string>;
}

export interface ProcessExit {
  /** Null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process started in the sandbox; its own process group, so `kill` reaches what it started. */
export interface SandboxProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ProcessExit>;
  /**
   * Signals the process's whole process group. Signal 0 only checks that the group still has a
   * member. Resolves to false when nothing received it (the group is gone).
   */
  kill(signal: NodeJS.Signals | 0): Promise<boolean>;
  /** Whether this process keeps the server's event loop alive (an idle shell must not). */
  setReferenced(referenced: boolean): void;
}

export interface ExecOptions extends SpawnOptions {
  /** Written to stdin, which is then closed (an empty stdin when absent). */
  input?: string | Uint8Array;
  /** The process group is killed after this long; 0 or absent: no limit. */
  timeoutMilliseconds?: number;
  /** Output beyond this many bytes per stream stops the process (default 64 MB). */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Null when killed (timeout, abort, output limit or a signal). */
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

export type FileErrorCode = "ENOENT" | "EACCES" | "EISDIR" | "ENOTDIR" | "EFBIG" | "EINVAL" | "EIO";

/** A file operation that failed inside the sandbox, with an errno-like code tools can branch on. */
export class SandboxFileError extends Error {
  constructor(
    readonly code: FileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SandboxFileError";
  }
}

export interface FileStat {
  type: "file" | "directory" | "other";
  /** Bytes, for files. */
  size: number;
}

export interface DirectoryEntry {
  name: string;
  directory: boolean;
}

/** File operations done by the sandbox itself, so symlinks resolve in its view, never the server's. */
export interface SandboxFiles {
  /** Null when nothing is there (or a dangling symlink). */
  stat(path: string): Promise<FileStat | null>;
  /** The file's bytes; `EFBIG` when it holds more than `maxBytes`. */
  read(path: string, maxBytes: number): Promise<Buffer>;
  /** Creates missing parent folders; `append` adds to the end instead of replacing. */
  write(path: string, content: string, options?: { append?: boolean }): Promise<{ existed: boolean; createdFolder: boolean }>;
  list(path: string): Promise<DirectoryEntry[]>;
}

/**
 * A directory of the sandbox (in its private `/tmp`) where commands write their output and the
 * full text of truncated outputs is kept. The server reads and writes it by name only: for local
 * backends it knows the directory's host path (fast, direct reads), for others it goes through
 * `exec`. The sandbox can write there too, so every read is of untrusted bytes.
 */
export interface OutputArea {
  /** The directory as the sandbox sees it. */
  readonly directory: string;
  /** The inside path of `name`. */
  path(name: string): string;
  /** Bytes in `name` so far; 0 when it does not exist (or is not a regular file). */
  size(name: string): Promise<number>;
  /** Up to `length` bytes from `offset`. */
  read(name: string, offset: number, length: number): Promise<Buffer>;
  /** Creates `name` (never following or replacing anything there) and returns its inside path. */
  write(name: string, content: string | Uint8Array): Promise<string>;
  /** Cuts `name` down to `size` bytes. */
  truncate(name: string, size: number): Promise<void>;
  remove(name: string): Promise<void>;
}

export interface Sandbox {
  readonly backend: SandboxBackendName;
  readonly conversationId: string;
  /** The conversation's workspace, read-write, at the same absolute path inside. */
  readonly workspace: string;
  /** HOME inside the sandbox (`~` of the file tools). */
  readonly home: string;
  readonly files: SandboxFiles;
  readonly outputs: OutputArea;
  /** Starts `argv` inside the sandbox (starting the sandbox itself on first use). */
  spawn(argv: string[], options?: SpawnOptions): Promise<SandboxProcess>;
  /** Runs `argv` to completion, collecting its output. */
  exec(argv: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Marks the sandbox busy until the returned function is called, so idle removal waits. */
  hold(): () => void;
  /** Ends every process of the sandbox and removes its private directories. */
  dispose(): Promise<void>;
  readonly disposed: boolean;
}
