/** The agent: the loop, tool-use parsing and the system prompt. */
export { runAgentLoop, DEFAULT_MAX_TURNS } from "./loop.js";
export type { AgentEvent, AgentLoopOptions, ConfirmDecision, LoopOutcome, PendingTool, ToolFormat } from "./types.js";
export { parseOptionsFor, withBlockShape, withEditedContent, wireOf } from "./tool-use-wire.js";
export { nativeToolsOf } from "./native-tools.js";
export { StreamingToolUseDetector } from "./tool-use-detector.js";
export { INTERRUPTED_MARK } from "./messages.js";
export * from "./parse/index.js";
export * from "./prompt/index.js";
