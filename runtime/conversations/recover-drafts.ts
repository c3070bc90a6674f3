/**
 * At start: the drafts a crash left behind become the assistant messages they were turning into,
 * marked as gptme marks an interrupted reply. One query when there is nothing to recover.
 */
import { INTERRUPTED_MARK } from "../agent/messages.js";
import { NotFoundError } from "../errors.js";
import type { Draft, DraftStore } from "../store/drafts.js";
import type { ConversationStore, Message } from "../store/types.js";

/** Resolves with how many replies were recovered. */
export async function recoverInterruptedReplies(store: ConversationStore, drafts: DraftStore): Promise<number> {
  let recovered = 0;
  for (const draft of await drafts.list()) {
    if (await recover(store, draft)) recovered += 1;
    // Taken after the append: a crash in between leaves a draft whose place is taken, dropped next time.
    await drafts.take(draft.conversationId);
  }
  return recovered;
}

/**
 * The draft of one conversation, whose generation's replica died (replicated mode: the replica
 * that took its lease over calls this); resolves with whether a reply was stored.
 */
export async function recoverInterruptedReply(store: ConversationStore, drafts: DraftStore, conversationId: string): Promise<boolean> {
  const draft = (await drafts.list()).find((candidate) => candidate.conversationId === conversationId);
  if (!draft) return false;
  const recovered = await recover(store, draft);
  await drafts.take(conversationId);
  return recovered;
}

async function recover(store: ConversationStore, draft: Draft): Promise<boolean> {
  if (draft.content.trim() === "") return false;
  try {
    const messages = await store.messages(draft.conversationId, draft.branch);
    // Anything stored after the reply began means the reply itself was stored: the draft is stale.
    if (messages.length !== draft.position) return false;
    const message: Message = {
      role: "assistant",
      content: draft.content + INTERRUPTED_MARK,
      timestamp: draft.updated,
      metadata: { model: draft.model },
    };
    await store.append(draft.conversationId, [message], draft.branch);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}
