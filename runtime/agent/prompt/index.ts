/** The system prompt a conversation starts with. */
export { buildSystemPrompt, type SystemPromptOptions } from "./build-system-prompt.js";
export { nodeFileSystem, type PromptFileSystem } from "./file-system.js";
export { renderExamples, toolsSection } from "./tools-section.js";
export { INSTRUCTION_FILES, PROJECT_FILES, MAX_FILE_CHARACTERS, MAX_CONTEXT_CHARACTERS } from "./workspace-context.js";
