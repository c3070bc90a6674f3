/** Names a conversation after its first reply: by the model when it answers sensibly, else a random name. */
import type { LanguageModel } from "../models/model.js";
import type { ConversationStore } from "../store/types.js";
import { randomDisplayName } from "../conversations/names.js";

const instruction =
  "Give this conversation a short title of 2 to 6 words that says what it is about. " +
  "Answer with the title only: no quotes, no punctuation at the end.";

async function askModel(model: LanguageModel, excerpt: string): Promise<string> {
  const signal = AbortSignal.timeout(15_000);
  let text = "";
  const now = new Date().toISOString();
  for await (const part of model.stream({
    messages: [
      { role: "system", content: instruction, timestamp: now },
      { role: "user", content: excerpt, timestamp: now },
    ],
    stream: false,
    signal,
    maxTokens: 30,
  })) {
    if (part.type === "text-delta") text += part.text;
  }
  return text;
}

export function cleanTitle(text: string): string | null {
  const title = text.trim().split("\n")[0]!.replace(/^["'`*#\s]+|["'`*.\s]+$/g, "").trim();
  if (title.length < 2 || title.length > 60) return null;
  return title;
}

export function createNamer(store: ConversationStore) {
  return async (conversationId: string, model: LanguageModel | null): Promise<string | null> => {
    const messages = await store.messages(conversationId);
    const visible = messages.filter((message) => !message.hide && message.role !== "system").slice(0, 4);
    if (!visible.some((message) => message.role === "assistant")) return null;
    if (model) {
      const excerpt = visible.map((message) => `${message.role}: ${message.content.slice(0, 500)}`).join("\n\n");
      const title = await askModel(model, excerpt).then(cleanTitle, () => null);
      if (title) return title;
    }
    return randomDisplayName();
  };
}
