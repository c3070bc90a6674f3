/**
 * gptme HEAD's upload (`POST .../workspace/upload`): every file part of a multipart body goes to
 * the conversation's attachments folder, all or nothing. Parts stream to hidden temporary files
 * (memory stays bounded whatever the size), and only once every part arrived whole do they get
 * their names: the upload's own, or `<stem>-<n><suffixes>` when taken.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream, linkSync, mkdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type busboy from "busboy";
import { AppError, BadRequestError, ConflictError, PayloadTooLargeError } from "../errors.js";
import type { WorkspaceEntry } from "../runtime.js";
import { mimeTypeOf } from "../workspace/workspace-files.js";

export interface UploadLimits {
  /** gptme: 50 MB per file. */
  fileBytes: number;
  /** All files of one request together. */
  totalBytes: number;
  files: number;
}

export const defaultUploadLimits: UploadLimits = { fileBytes: 50 * 1024 * 1024, totalBytes: 500 * 1024 * 1024, files: 100 };

export interface UploadRequest {
  contentType: string;
  body: ReadableStream<Uint8Array> | null;
}

interface Received {
  name: string;
  temporary: string;
}

const megabytes = (bytes: number) => `${Math.round(bytes / 1024 / 1024)}MB`;

/** The name an upload is saved under, or null to skip it (gptme skips empty and hidden names). */
export function uploadName(filename: string | undefined): string | null {
  const name = (filename ?? "").split(/[\\/]/).pop()!.trim();
  // eslint-disable-next-line no-control-regex
  if (name === "" || name.startsWith(".") || /[\u0000-\u001f\u007f]/.test(name)) return null;
  return name;
}

/** `report.v2.pdf` → `report-1.v2.pdf`, `report-2.v2.pdf`, ... (gptme's suffix rule). */
function candidates(name: string): string[] {
  const dot = name.indexOf(".", 1);
  const stem = dot === -1 ? name : name.slice(0, dot);
  const suffix = dot === -1 ? "" : name.slice(dot);
  return [name, ...Array.from({ length: 10_000 }, (_, index) => `${stem}-${index + 1}${suffix}`)];
}

/** Reads the multipart body into temporary files; throws (after removing them) on the first problem. */
async function receive(directory: string, request: UploadRequest, limits: UploadLimits): Promise<{ received: Received[]; sawFile: boolean }> {
  // The multipart parser is loaded on the first upload, not at server start.
  const { default: createParser } = await import("busboy");
  let parser: busboy.Busboy;
  try {
    parser = createParser({
      headers: { "content-type": request.contentType },
      defParamCharset: "utf8",
      // busboy reports the limit when a file reaches it; one byte more means "over the limit".
      limits: { fileSize: limits.fileBytes + 1, files: limits.files },
    });
  } catch {
    throw new BadRequestError("No files provided");
  }
  const received: Received[] = [];
  const writes: Promise<void>[] = [];
  const active = new Set<Readable>();
  let sawFile = false;
  let total = 0;
  let failure: AppError | null = null;
  const source = Readable.fromWeb(request.body as WebReadableStream<Uint8Array>);
  const fail = (error: AppError) => {
    failure ??= error;
    source.unpipe(parser);
    source.destroy();
    for (const stream of active) stream.destroy();
  };

  parser.on("file", (_field, stream, info) => {
    sawFile = true;
    const name = uploadName(info.filename);
    if (name === null || failure) {
      stream.resume();
      return;
    }
    const temporary = join(directory, `.upload-${randomUUID()}`);
    received.push({ name, temporary });
    active.add(stream);
    stream.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > limits.totalBytes) fail(new PayloadTooLargeError(`Upload exceeds the ${megabytes(limits.totalBytes)} limit of one request`));
    });
    stream.on("limit", () => fail(new PayloadTooLargeError(`File '${name}' exceeds ${megabytes(limits.fileBytes)} limit`)));
    const file = createWriteStream(temporary, { flags: "wx" });
    // pipeline settles on the first error, possibly before the file has even been opened: the
    // temporary file must exist (or have failed to) before a failed upload removes it.
    const closed = new Promise<void>((resolve) => file.once("close", () => resolve()));
    const written = pipeline(stream, file).then(
      () => undefined,
      (error: Error) => {
        if (!failure) fail(new AppError(500, `Could not save ${name}: ${error.message}`));
      },
    );
    writes.push(Promise.all([written, closed]).then(() => undefined).finally(() => active.delete(stream)));
  });
  parser.on("filesLimit", () => fail(new PayloadTooLargeError(`Too many files in one upload (at most ${limits.files})`)));

  const parsed = new Promise<void>((resolve) => {
    parser.on("close", resolve);
    parser.on("error", () => {
      fail(new BadRequestError("Malformed multipart body"));
      resolve();
    });
    source.on("error", () => {
      fail(new BadRequestError("The upload was interrupted"));
      resolve();
    });
    source.on("close", () => {
      if (failure) resolve();
    });
  });
  source.pipe(parser);
  await parsed;
  await Promise.all(writes);
  if (failure) {
    removeAll(received.map((file) => file.temporary));
    throw failure;
  }
  return { received, sawFile };
}

function removeAll(paths: string[]) {
  for (const path of paths) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}

/** Gives each received file its final name; if one fails, none stays. */
function commit(directory: string, received: Received[]): string[] {
  const saved: string[] = [];
  try {
    for (const file of received) {
      const name = candidates(file.name).find((candidate) => {
        try {
          linkSync(file.temporary, join(directory, candidate));
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
          if ((error as NodeJS.ErrnoException).code === "ENAMETOOLONG") throw new BadRequestError(`File name too long: ${file.name}`);
          throw error;
        }
      });
      if (name === undefined) throw new ConflictError(`Could not allocate unique name for ${file.name}`);
      saved.push(name);
    }
    return saved;
  } catch (error) {
    removeAll(saved.map((name) => join(directory, name)));
    throw error;
  } finally {
    removeAll(received.map((file) => file.temporary));
  }
}

/** Saves a multipart upload into `directory` (`attachmentsDirectory`), as gptme's FileType entries. */
export async function saveUploads(directory: string, request: UploadRequest, limits: UploadLimits = defaultUploadLimits): Promise<WorkspaceEntry[]> {
  if (!request.body || !/^multipart\/form-data\b/i.test(request.contentType)) throw new BadRequestError("No files provided");
  mkdirSync(directory, { recursive: true });
  const { received, sawFile } = await receive(directory, request, limits);
  if (!sawFile) throw new BadRequestError("No files provided");
  if (received.length === 0) throw new BadRequestError("No valid files uploaded");
  return commit(directory, received).map((name) => {
    const info = statSync(join(directory, name));
    return {
      name,
      path: `attachments/${name}`,
      type: "file" as const,
      size: info.size,
      modified: info.mtime.toISOString(),
      mime_type: mimeTypeOf(name),
    };
  });
}
