/** The runtime's CommandRunner: the server command set, one command at a time per conversation. */
import { ConflictError } from "../errors.js";
import type { ModelRegistry } from "../models/model.js";
import type { CommandRunner, ConversationService } from "../runtime.js";
import type { ConversationStore } from "../store/types.js";
import { blockedCommandOf, commandNames, runServerCommand } from "./server-commands.js";

export interface CommandRunnerOptions {
  store: ConversationStore;
  models: ModelRegistry;
  conversations: ConversationService;
  autoName: (conversationId: string) => Promise<string | null>;
}

export function createCommandRunner(options: CommandRunnerOptions): CommandRunner {
  const running = new Set<string>();
  return {
    names: commandNames,
    blocked: blockedCommandOf,
    isRunning: (conversationId) => running.has(conversationId),
    async run(conversationId, content) {
      if (running.has(conversationId)) throw new ConflictError("Another command is running on this conversation");
      running.add(conversationId);
      try {
        return await runServerCommand(content, { conversationId, ...options });
      } catch (error) {
        // As gptme: a failing command reports its error instead of failing the request.
        return { output: `Command error: ${error instanceof Error ? error.message : String(error)}`, logChanged: false, config: null };
      } finally {
        running.delete(conversationId);
      }
    },
  };
}
