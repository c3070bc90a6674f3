/** `gptme-util chats list|search`, `models list`, `tools list`: plain lines, one entry each. */
import type { ModelRegistry } from "../../../runtime/models/model.js";
import { providers } from "../../../runtime/models/providers.js";
import type { ConversationStore, ConversationSummary } from "../../../runtime/store/types.js";
import { createToolRegistry, defaultToolNames } from "../../../runtime/tools/registry.js";
import { plural } from "../plural.js";

function when(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace("T", " ");
}

function chatLine(summary: ConversationSummary, index: number): string {
  const name = summary.name && summary.name !== summary.id ? `  ${summary.name}` : "";
  return `${String(index + 1).padStart(3)}. ${summary.id}${name}  (${plural(summary.messageCount, "message")}, ${when(summary.modified)})`;
}

export async function chatLines(store: ConversationStore, options: { limit: number; query?: string }): Promise<string[]> {
  const page = await store.list({ limit: options.limit, query: options.query });
  if (page.items.length === 0) return [options.query ? `No conversation matches "${options.query}".` : "No conversations yet."];
  return page.items.map(chatLine);
}

/** Every known model, grouped by provider, marking the providers that have a key. */
export function modelLines(models: ModelRegistry): string[] {
  const available = new Set(models.list().map((model) => model.id));
  const lines: string[] = [];
  const chosen = models.defaultModel();
  lines.push(`Default model: ${chosen ?? `none (set ${models.keyEnvironmentVariables().join(", ")})`}`);
  for (const provider of providers) {
    const configured = provider.models.some((model) => available.has(`${provider.name}/${model.name}`)) ||
      [...available].some((id) => id.startsWith(`${provider.name}/`));
    const status = configured ? "configured" : provider.name === "local" ? "set OPENAI_BASE_URL" : `set ${provider.keyVariable}`;
    lines.push(`${provider.name} (${status})`);
    for (const model of provider.models) lines.push(`  ${provider.name}/${model.name}  ${model.context.toLocaleString("en-US")} context`);
    if (provider.models.length === 0) lines.push(`  ${provider.name}/<model>  any model your server offers`);
  }
  return lines;
}

export function toolLines(): string[] {
  const everyTool = createToolRegistry({ tools: ["*"] }).all();
  const defaults = new Set(defaultToolNames());
  const available = new Set(everyTool.map((tool) => tool.name));
  const known = defaultToolNames({ includeUnavailable: true });
  const lines = everyTool.map((tool) => `  ${tool.name.padEnd(8)} ${tool.description}${defaults.has(tool.name) ? "" : "  (off by default: -t +" + tool.name + ")"}`);
  for (const name of known.filter((candidate) => !available.has(candidate))) lines.push(`  ${name.padEnd(8)} (not available on this machine)`);
  return ["Tools:", ...lines];
}
