/**
 * Editing and deleting messages of a conversation's main branch, as gptme HEAD does
 * (`api_conversation_edit_message`, `api_conversation_delete_message`): the branch as it was is
 * first kept as a backup branch `main-edit-N`, so nothing is lost.
 */
import { BadRequestError, NotFoundError } from "../errors.js";
import type { ConversationStore, Message } from "../store/types.js";

export interface MessageEdit {
  content?: string;
  /** Stored form (already checked by `resolveMessageFiles`); `[]` removes the files. */
  files?: string[];
  /** Drop every message after the edited one. */
  truncate: boolean;
}

export interface EditOptions {
  /** Throws when the conversation may not change now (a generation started); called just before writing. */
  guard?: () => void;
}

async function mainBranch(store: ConversationStore, id: string): Promise<Message[]> {
  if (!(await store.get(id))) throw new NotFoundError(`Conversation not found: ${id}`);
  return store.messages(id);
}

function requireIndex(messages: Message[], index: number): Message {
  const message = messages[index];
  if (!message) throw new NotFoundError(`Message index ${index} out of range (0-${messages.length - 1})`);
  return message;
}

/** gptme names backups `<branch>-edit-<n>`, n counting the backups made so far. */
async function saveBackup(store: ConversationStore, id: string, messages: Message[]): Promise<string> {
  const names = Object.keys(await store.branchLengths(id));
  let number = names.filter((name) => name.startsWith("main-edit-")).length;
  while (names.includes(`main-edit-${number}`)) number += 1;
  const name = `main-edit-${number}`;
  await store.replaceMessages(id, messages, name);
  return name;
}

async function rewrite(store: ConversationStore, id: string, before: Message[], after: Message[], options: EditOptions) {
  options.guard?.();
  await saveBackup(store, id, before);
  await store.replaceMessages(id, after);
}

const sameFiles = (left: string[] | undefined, right: string[] | undefined) =>
  JSON.stringify(left ?? []) === JSON.stringify(right ?? []);

/** Changes a user message's content or files, or cuts the branch after any message (`truncate`). */
export async function editMessage(store: ConversationStore, id: string, index: number, edit: MessageEdit, options: EditOptions = {}) {
  const messages = await mainBranch(store, id);
  const original = requireIndex(messages, index);
  const contentChanged = edit.content !== undefined && edit.content !== original.content;
  const filesChanged = edit.files !== undefined && !sameFiles(edit.files, original.files);
  if ((contentChanged || filesChanged) && original.role !== "user") throw new BadRequestError("Can only edit user messages");
  if (!contentChanged && !filesChanged && !edit.truncate) throw new BadRequestError("No changes requested");
  const edited: Message = { ...original };
  if (contentChanged) edited.content = edit.content!;
  if (filesChanged) {
    if (edit.files!.length > 0) edited.files = edit.files;
    else delete edited.files;
  }
  const rest = edit.truncate ? [] : messages.slice(index + 1);
  await rewrite(store, id, messages, [...messages.slice(0, index), edited, ...rest], options);
}

const nonSystemRole = (messages: Message[]) => messages.find((message) => message.role !== "system")?.role;

/** Removes one message (never a system one, nor one whose removal puts two same-role turns together). */
export async function deleteMessage(store: ConversationStore, id: string, index: number, options: EditOptions = {}) {
  const messages = await mainBranch(store, id);
  if (requireIndex(messages, index).role === "system") throw new BadRequestError("Cannot delete system messages");
  const previous = nonSystemRole(messages.slice(0, index).reverse());
  const next = nonSystemRole(messages.slice(index + 1));
  if (previous !== undefined && previous === next) {
    throw new BadRequestError(
      `Deleting this message would create consecutive '${next}' messages, which is not supported by LLM APIs`,
    );
  }
  await rewrite(store, id, messages, [...messages.slice(0, index), ...messages.slice(index + 1)], options);
}
