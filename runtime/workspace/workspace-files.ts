/** Workspace browsing for the API, confined to the workspace root: `..` and symlink escapes are refused. */
import { open, readdir, realpath, stat } from "node:fs/promises";
import { extname, join, relative, resolve, sep } from "node:path";
import { BadRequestError, ForbiddenError, NotFoundError } from "../errors.js";
import type { WorkspaceEntry, WorkspaceFiles, WorkspacePreview } from "../runtime.js";

const mimeTypes: Record<string, string> = {
  ".txt": "text/plain", ".md": "text/markdown", ".py": "text/x-python", ".js": "text/javascript",
  ".ts": "text/typescript", ".tsx": "text/typescript", ".json": "application/json", ".html": "text/html",
  ".css": "text/css", ".sh": "text/x-shellscript", ".toml": "application/toml", ".yaml": "application/yaml",
  ".yml": "application/yaml", ".csv": "text/csv", ".xml": "application/xml", ".svg": "image/svg+xml",
  ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
  ".pdf": "application/pdf", ".zip": "application/zip",
};

const previewLimit = 10 * 1024 * 1024;

export function mimeTypeOf(path: string): string | null {
  return mimeTypes[extname(path).toLowerCase()] ?? null;
}

/** Resolves `path` inside `root`, following symlinks, and refuses anything that lands outside. */
export async function confinedPath(root: string, path: string): Promise<string> {
  if (path.includes("\0")) throw new BadRequestError("Invalid path");
  const realRoot = await realpath(root).catch(() => {
    throw new NotFoundError("Workspace not found");
  });
  const candidate = resolve(realRoot, path.replace(/^\/+/, ""));
  if (candidate !== realRoot && !candidate.startsWith(realRoot + sep)) throw new BadRequestError("Path escapes workspace");
  const real = await realpath(candidate).catch(() => {
    throw new NotFoundError("File not found");
  });
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new ForbiddenError("Path escapes workspace");
  return real;
}

async function entryOf(root: string, path: string, name: string): Promise<WorkspaceEntry> {
  const info = await stat(path);
  const directory = info.isDirectory();
  return {
    name,
    path: relative(root, path).split(sep).join("/"),
    type: directory ? "directory" : "file",
    size: directory ? 0 : info.size,
    modified: info.mtime.toISOString(),
    mime_type: directory ? null : mimeTypeOf(name),
  };
}

function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, 1024));
    return true;
  } catch {
    // A multi-byte character cut at the 1 KiB boundary is still text.
    return bytes.length >= 1024;
  }
}

/**
 * A folder or file the server's own user may not read (a project of mode 700 in the server image,
 * where only the tools' user may enter it) is a 403 that says so, not an internal error.
 */
function permissionDenied(error: unknown): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "EACCES" || code === "EPERM") {
    throw new ForbiddenError("The server may not read this part of the workspace (permission denied); the agent's tools may still work in it");
  }
  throw error;
}

/** Every method, with permission errors turned into a 403. */
function withPermissionErrors(files: WorkspaceFiles): WorkspaceFiles {
  return {
    list: (...args) => files.list(...args).catch(permissionDenied),
    preview: (...args) => files.preview(...args).catch(permissionDenied),
    read: (...args) => files.read(...args).catch(permissionDenied),
  };
}

export function createWorkspaceFiles(): WorkspaceFiles {
  return withPermissionErrors({
    async list(root, path, { showHidden }) {
      const realRoot = await realpath(root).catch(() => {
        throw new NotFoundError("Workspace not found");
      });
      const target = await confinedPath(realRoot, path);
      const info = await stat(target);
      const name = target === realRoot ? "" : target.slice(target.lastIndexOf(sep) + 1);
      if (!info.isDirectory()) return entryOf(realRoot, target, name);
      const names = (await readdir(target)).filter((entry) => showHidden || !entry.startsWith("."));
      const entries: WorkspaceEntry[] = [];
      for (const entry of names) {
        try {
          entries.push(await entryOf(realRoot, join(target, entry), entry));
        } catch {
          continue;
        }
      }
      return entries.sort((a, b) =>
        a.type === b.type ? a.name.toLowerCase().localeCompare(b.name.toLowerCase()) : a.type === "directory" ? -1 : 1,
      );
    },

    async preview(root, path): Promise<WorkspacePreview> {
      const realRoot = await realpath(root).catch(() => {
        throw new NotFoundError("Workspace not found");
      });
      const target = await confinedPath(realRoot, path);
      const info = await stat(target);
      if (!info.isFile()) throw new NotFoundError("File not found");
      const mimeType = mimeTypeOf(target);
      const handle = await open(target, "r");
      try {
        const size = Math.min(info.size, previewLimit);
        const bytes = new Uint8Array(size);
        await handle.read(bytes, 0, size, 0);
        if (mimeType?.startsWith("image/") && mimeType !== "image/svg+xml") {
          if (info.size > previewLimit) throw new BadRequestError("Image too large to preview");
          return { type: "image", body: bytes, mimeType };
        }
        if (looksLikeText(bytes)) {
          // `stream: true` holds back a multi-byte character cut at the preview limit.
          const content = new TextDecoder().decode(bytes, { stream: info.size > previewLimit });
          return info.size > previewLimit
            ? { type: "text", content, truncated: true, total_size: info.size }
            : { type: "text", content };
        }
        return { type: "binary", metadata: await entryOf(realRoot, target, target.slice(target.lastIndexOf(sep) + 1)) };
      } finally {
        await handle.close();
      }
    },

    async read(root, path) {
      const target = await confinedPath(root, path);
      const info = await stat(target);
      if (!info.isFile()) throw new NotFoundError("File not found");
      const handle = await open(target, "r");
      try {
        const body = new Uint8Array(info.size);
        await handle.read(body, 0, info.size, 0);
        return { body, mimeType: mimeTypeOf(target) ?? "application/octet-stream" };
      } finally {
        await handle.close();
      }
    },
  });
}
