/**
 * The system prompt a conversation starts with, in gptme's structure: the core (role, habits,
 * how to call tools, mode), the tools overview, system information and date; then the workspace
 * context as a second message. All hidden and pinned.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { Message } from "../../store/types.js";
import type { ToolDefinition } from "../../tools/tool.js";
import type { ToolFormat } from "../types.js";
import { fullCore, shortCore } from "./core.js";
import { nodeFileSystem, type PromptFileSystem } from "./file-system.js";
import { currentSystem, dateSection, systemInfoSection, type SystemDescription } from "./system-info.js";
import { toolsSection } from "./tools-section.js";
import { workspaceContext } from "./workspace-context.js";

export interface SystemPromptOptions {
  tools: ToolDefinition[];
  toolFormat: ToolFormat;
  interactive: boolean;
  /** `provider/model`, named in the prompt. */
  model: string;
  /** Absolute path of the workspace (the working directory). */
  workspace: string;
  /** `full`, `short` (no examples, compact core), or a custom prompt used instead of the core. */
  prompt: "full" | "short" | (string & {});
  /** User-wide instruction files; defaults to `$XDG_CONFIG_HOME/gptme` or `~/.config/gptme`. */
  configDirectory?: string;
  fileSystem?: PromptFileSystem;
  now?: Date;
  system?: SystemDescription;
}

export async function buildSystemPrompt(options: SystemPromptOptions): Promise<Message[]> {
  const timestamp = (options.now ?? new Date()).toISOString();
  const messages = [promptMessage(mainText(options), timestamp)];
  const context = await workspaceContext({
    workspace: options.workspace,
    configDirectory: options.configDirectory ?? defaultConfigDirectory(),
    fileSystem: options.fileSystem ?? nodeFileSystem,
  });
  if (context) messages.push(promptMessage(context, timestamp));
  return messages;
}

function mainText(options: SystemPromptOptions): string {
  const core = {
    model: options.model,
    toolNames: options.tools.map((tool) => tool.name),
    interactive: options.interactive,
    toolFormat: options.toolFormat,
  };
  const xml = options.toolFormat === "xml";
  if (options.prompt !== "full" && options.prompt !== "short") {
    return [options.prompt, section("tools", toolsSection(options.tools, options.toolFormat, true), xml)].join("\n\n");
  }
  const full = options.prompt === "full";
  return [
    section("role", full ? fullCore(core) : shortCore(core), xml),
    section("tools", toolsSection(options.tools, options.toolFormat, full), xml),
    section("system-info", systemInfoSection(options.system ?? currentSystem(), options.workspace), xml),
    section("date", dateSection(options.now ?? new Date()), xml),
  ].join("\n\n");
}

/** In XML format gptme wraps each part in a tag, matching how the model is asked to write. */
function section(tag: string, body: string, xml: boolean): string {
  return xml ? `<${tag}>\n${body}\n</${tag}>` : body;
}

function promptMessage(content: string, timestamp: string): Message {
  return { role: "system", content, timestamp, hide: true, pinned: true };
}

function defaultConfigDirectory(): string {
  const xdg = process.env.XDG_CONFIG_HOME?.trim();
  return join(xdg ? xdg : join(process.env.HOME ?? homedir(), ".config"), "gptme");
}
