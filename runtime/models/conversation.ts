/**
 * gptme's conversation as every provider sees it, before each adapter's own wire shape: the
 * leading system messages are the system prompt; later system messages (tool outputs, hook notes)
 * are user-side text; in tool format, calls written as `@tool(id): {json}` and their results are
 * native calls and results. Hidden messages are sent too: `hide` only affects the UI.
 */
import type { Message } from "../store/types.js";
import { nativeToolName } from "./native-tool-name.js";
import type { ImageInput, ModelMessage } from "./model.js";
import { parseToolCallLines, withoutToolCallLines, type ToolCallLine } from "./tool-call-lines.js";

export type Turn =
  | { role: "user"; content: string; images?: ImageInput[] }
  | { role: "assistant"; text: string; toolCalls: ToolCallLine[] }
  | { role: "tool"; callId: string; content: string };

export interface PreparedConversation {
  system: string[];
  turns: Turn[];
}

/** Wraps a system message that is not part of the system prompt for the user side. */
export function asSystemNote(content: string): string {
  return `<system>\n${content}\n</system>`;
}

/**
 * A call is sent natively only when its result directly follows it (in the run of system messages
 * after the assistant message): providers reject calls without results and results without calls,
 * so an interrupted call, or a result whose call is gone, stays text.
 */
export function prepareConversation(messages: ModelMessage[], options: { nativeTools: boolean }): PreparedConversation {
  let first = 0;
  while (first < messages.length && messages[first].role === "system") first++;
  const system = messages.slice(0, first).map((message) => message.content);
  const turns: Turn[] = [];
  for (let index = first; index < messages.length; index++) {
    const message = messages[index];
    if (message.role === "user") {
      turns.push(withImages({ role: "user", content: message.content }, message));
    } else if (message.role === "system") {
      turns.push(withImages({ role: "user", content: asSystemNote(message.content) }, message));
    } else if (!options.nativeTools) {
      turns.push({ role: "assistant", text: message.content, toolCalls: [] });
    } else {
      const followingSystem = systemRun(messages, index + 1);
      const resultIds = new Set(followingSystem.map((next) => next.call_id).filter(Boolean));
      const calls = parseToolCallLines(message.content).filter((call) => resultIds.has(call.id));
      const callIds = new Set(calls.map((call) => call.id));
      // Recorded under gptme's names (`server.tool`); sent under the names the tools were offered as.
      const sent = calls.map((call) => ({ ...call, name: nativeToolName(call.name) }));
      turns.push({ role: "assistant", text: withoutToolCallLines(message.content, calls), toolCalls: sent });
      // One result per call (a rerun can record a second one, which stays a note).
      const results = new Map<string, ModelMessage>();
      for (const next of followingSystem) {
        if (next.call_id !== undefined && callIds.has(next.call_id) && !results.has(next.call_id)) results.set(next.call_id, next);
      }
      const isResult = (next: ModelMessage) => next.call_id !== undefined && results.get(next.call_id) === next;
      // Results first: providers want them right after the call, before any other note.
      for (const next of followingSystem.filter(isResult)) {
        turns.push({ role: "tool", callId: next.call_id as string, content: next.content });
      }
      // Tool results carry text only: their images follow as a user turn (gptme does the same).
      const resultImages = followingSystem.filter(isResult).flatMap((next) => next.images ?? []);
      if (resultImages.length > 0) turns.push({ role: "user", content: "", images: resultImages });
      for (const next of followingSystem.filter((next) => !isResult(next))) {
        turns.push(withImages({ role: "user", content: asSystemNote(next.content) }, next));
      }
      index += followingSystem.length;
    }
  }
  return { system, turns };
}

function withImages(turn: { role: "user"; content: string }, message: ModelMessage): Turn {
  return message.images?.length ? { ...turn, images: message.images } : turn;
}

function systemRun(messages: ModelMessage[], start: number): ModelMessage[] {
  let end = start;
  while (end < messages.length && messages[end].role === "system") end++;
  return messages.slice(start, end);
}
