/**
 * A message's `files` as the model sees them, as gptme prepares them: text files are inlined
 * after the message (gptme's `embed_attached_file_content`), images travel as vision input, and
 * anything else is named in a note. Only files inside the conversation's workspace or its
 * attachments are read, checked on the opened file, so a link planted after the message was
 * stored cannot make the server read another file.
 */
import { open, realpath } from "node:fs/promises";
import { basename, extname, isAbsolute, relative } from "node:path";
import { isInsidePlaces, isRealPathInPlaces, isUri, type FilePlaces } from "../conversations/message-files.js";
import type { ImageInput, ModelMessage } from "../models/model.js";
import type { Message } from "../store/types.js";

const imageTypes: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
};

/** The largest image read (OpenAI's limit; adapters with a lower one replace it by a note). */
const imageLimit = 20 * 1024 * 1024;
/** How much of a text file is inlined: more would not fit any model's context anyway. */
export const TEXT_INLINE_LIMIT = 1024 * 1024;

/** How the model is told about a file: as clients see it (workspace-relative, `attachments/<name>`). */
function displayPath(file: string, places: FilePlaces): string {
  const under = (root: string) => {
    const rest = relative(root, file);
    return rest !== "" && !rest.startsWith("..") && !isAbsolute(rest) ? rest : null;
  };
  const inWorkspace = under(places.workspace);
  if (inWorkspace !== null) return inWorkspace;
  const inAttachments = under(places.attachments);
  return inAttachments !== null ? `attachments/${inAttachments}` : file;
}

/** gptme's code block for an inlined file (four backticks, so the file's own fences survive). */
function codeBlock(path: string, content: string): string {
  return `\`\`\`\`${path}\n${content}\n\`\`\`\``;
}

function decodeText(bytes: Uint8Array, cut: boolean): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: cut });
  } catch {
    return null;
  }
}

type Read = { kind: "text"; text: string } | { kind: "image"; image: ImageInput } | { kind: "note"; note: string };

async function readAttached(file: string, places: FilePlaces): Promise<Read> {
  const display = displayPath(file, places);
  const unreadable: Read = { kind: "note", note: `Error reading file ${display}. Please check the file path.` };
  if (!isInsidePlaces(file, places)) return unreadable;
  let handle;
  try {
    handle = await open(file, "r");
  } catch {
    return unreadable;
  }
  try {
    // The file actually opened: a link swapped in after the check above is caught here (Linux).
    const opened = await realpath(`/proc/self/fd/${handle.fd}`).catch(() => null);
    const info = await handle.stat();
    if (!info.isFile() || (opened !== null && !isRealPathInPlaces(opened, places))) return unreadable;
    const mediaType = imageTypes[extname(file).toLowerCase()];
    if (mediaType) {
      if (info.size > imageLimit) return { kind: "note", note: "Image size exceeds 20MB. Please upload a smaller image." };
      const bytes = Buffer.alloc(info.size);
      await handle.read(bytes, 0, info.size, 0);
      return { kind: "image", image: { name: basename(file), mediaType, data: bytes.toString("base64"), size: info.size } };
    }
    const length = Math.min(info.size, TEXT_INLINE_LIMIT);
    const bytes = new Uint8Array(length);
    await handle.read(bytes, 0, length, 0);
    const cut = info.size > TEXT_INLINE_LIMIT;
    const text = decodeText(bytes, cut);
    if (text === null) return { kind: "note", note: `[WARNING: Model doesn't support viewing file: ${display}]` };
    const tail = cut ? `\n[... cut at ${TEXT_INLINE_LIMIT} of ${info.size} bytes: read the rest with a tool]` : "";
    return { kind: "text", text: codeBlock(display, text + tail) };
  } finally {
    await handle.close();
  }
}

async function prepare(message: Message, places: FilePlaces): Promise<ModelMessage> {
  const blocks: string[] = [];
  const notes: string[] = [];
  const images: ImageInput[] = [];
  for (const file of message.files ?? []) {
    if (isUri(file)) {
      notes.push(`[WARNING: Model doesn't support viewing file: ${file}]`);
      continue;
    }
    const read = await readAttached(file, places);
    if (read.kind === "text") blocks.push(read.text);
    else if (read.kind === "image") images.push(read.image);
    else notes.push(read.note);
  }
  const content = [message.content, ...blocks, ...(notes.length > 0 ? [notes.join("\n")] : [])].filter(Boolean).join("\n\n");
  const prepared: ModelMessage = { ...message, content };
  if (images.length > 0) prepared.images = images;
  return prepared;
}

/** The messages with their files read; messages without files are passed through as they are. */
export async function withAttachedFiles(messages: Message[], places: FilePlaces): Promise<ModelMessage[]> {
  if (!messages.some((message) => message.files?.length)) return messages;
  return Promise.all(messages.map((message) => (message.files?.length ? prepare(message, places) : message)));
}
