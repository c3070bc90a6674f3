/** Tool-use parsing and writing, in gptme's markdown, XML and native-call formats. */
export { scanCodeBlocks, fenceFor, type CodeBlock, type CodeBlockScan, type CodeBlockScanOptions } from "./markdown-blocks.js";
export { scanXmlToolCalls, type XmlToolCall } from "./xml-tool-uses.js";
export { scanNativeToolCalls, findJsonObjectEnd, type NativeToolCall } from "./native-tool-calls.js";
export {
  locateToolUses,
  parseToolUses,
  findFirstCompleteToolUse,
  toolUseArguments,
  splitInfoString,
  afterThinking,
  PATH_ARGUMENT_TOOLS,
  type ToolUseParseOptions,
  type LocatedToolUse,
} from "./tool-uses.js";
export { serializeToolUse, type SerializeOptions } from "./serialize.js";
