/**
 * The output area of a local backend, read and written through its host path.
 *
 * The sandbox can write in this directory, so it could put a symlink (to the store, to
 * `/proc/<server>/environ`), a FIFO (to hang a read) or a hard link where the server expects a
 * command's output. Every open therefore uses O_NOFOLLOW | O_NONBLOCK and checks that it got a
 * regular file; files the server creates use O_EXCL. The directory itself is the root of a bind
 * mount inside the sandbox, so it cannot be renamed or replaced by a symlink from inside, and hard
 * links into it from elsewhere fail with EXDEV (different mounts). For `none` none of this matters
 * (the tools already run as the server), but the same code serves both.
 */
import { constants } from "node:fs";
import { open, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { OutputArea } from "./types.js";

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

function checkedName(name: string): string {
  if (!SAFE_NAME.test(name) || name === "." || name === "..") throw new Error(`Invalid output file name: ${name}`);
  return name;
}

export class HostOutputArea implements OutputArea {
  constructor(
    /** The directory on the host. */
    readonly hostDirectory: string,
    /** The same directory as the sandbox sees it. */
    readonly directory: string,
  ) {}

  path(name: string): string {
    return path.posix.join(this.directory, checkedName(name));
  }

  private async openRegular(name: string, flags: number): Promise<FileHandle | undefined> {
    const file = path.join(this.hostDirectory, checkedName(name));
    const handle = await open(file, flags | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
    if (!handle) return undefined;
    const info = await handle.stat().catch(() => undefined);
    if (!info?.isFile()) {
      await handle.close();
      return undefined;
    }
    return handle;
  }

  async size(name: string): Promise<number> {
    const handle = await this.openRegular(name, constants.O_RDONLY);
    if (!handle) return 0;
    try {
      return (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  }

  async read(name: string, offset: number, length: number): Promise<Buffer> {
    const handle = await this.openRegular(name, constants.O_RDONLY);
    if (!handle || length <= 0) {
      await handle?.close();
      return Buffer.alloc(0);
    }
    try {
      const buffer = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async write(name: string, content: string | Uint8Array): Promise<string> {
    const file = path.join(this.hostDirectory, checkedName(name));
    const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return this.path(name);
  }

  async truncate(name: string, size: number): Promise<void> {
    const handle = await this.openRegular(name, constants.O_WRONLY);
    if (!handle) return;
    try {
      await handle.truncate(size);
    } finally {
      await handle.close();
    }
  }

  async remove(name: string): Promise<void> {
    // unlink never follows a symlink: at worst it removes the sandbox's own link.
    await unlink(path.join(this.hostDirectory, checkedName(name))).catch(() => {});
  }
}
