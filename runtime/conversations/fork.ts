/**
 * gptme HEAD's fork: a new conversation holding a copy of messages 0..N of a branch, with the
 * same config and workspace, and its own copies of the uploads those messages reference.
 */
import { cpSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { attachmentsDirectory } from "../config/paths.js";
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import type { ConversationStore, Message } from "../store/types.js";
import { isInside } from "./message-files.js";

export interface ForkRequest {
  sourceId: string;
  /** Index of the last message copied. */
  afterMessage: number;
  branch: string;
  /** Throws when the source may not be read now (a generation runs); called before copying. */
  guard?: () => void;
}

/** `chat-<UTC ISO time, ':' as '-'>-<9 digits>`, gptme's fork id. */
function forkId(): string {
  const now = new Date();
  const micros = String(now.getUTCMilliseconds() * 1000).padStart(6, "0");
  const time = `${now.toISOString().slice(0, 19)}.${micros}+00:00`.replace(/:/g, "-");
  const digits = String(process.hrtime.bigint() % 1_000_000_000n).padStart(9, "0");
  return `chat-${time}-${digits}`;
}

/** Files under the source's uploads move to the fork's; the uploads are copied, the rest left as is. */
function reRootAttachments(messages: Message[], source: string, target: string): Message[] {
  return messages.map((message) => {
    if (!message.files?.length) return message;
    const files = message.files.map((file) => {
      if (!isInside(file, source) || file === source) return file;
      const copy = join(target, relative(source, file));
      if (existsSync(file)) cpSync(file, copy, { recursive: true });
      return copy;
    });
    return { ...message, files };
  });
}

export async function forkConversation(store: ConversationStore, dataDirectory: string, request: ForkRequest): Promise<string> {
  const { sourceId, afterMessage, branch } = request;
  const source = await store.get(sourceId);
  if (!source) throw new NotFoundError(`Conversation not found: ${sourceId}`);
  const length = (await store.branchLengths(sourceId))[branch];
  if (length === undefined) throw new NotFoundError(`Branch not found: ${branch}`);
  if (afterMessage < 0 || afterMessage >= length) {
    throw new BadRequestError(`Message index ${afterMessage} out of range (0-${length - 1})`);
  }
  request.guard?.();
  const messages = await store.messageRange(sourceId, branch, 0, afterMessage + 1);
  const name = `Fork of ${source.name} @ msg ${afterMessage + 1}`;
  for (;;) {
    const id = forkId();
    if (await store.get(id)) continue;
    const copied = reRootAttachments(messages, attachmentsDirectory(dataDirectory, sourceId), attachmentsDirectory(dataDirectory, id));
    try {
      await store.create({
        id,
        name,
        config: { ...source.config, chat: { ...source.config.chat, name } },
        workspace: source.workspace,
        messages: copied,
      });
      return id;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
