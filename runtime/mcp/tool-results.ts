/**
 * An MCP tool's result as the text of the tool's output message: text as is, embedded text
 * resources inline under their URI, images, audio and binary resources saved to files named in the
 * text (the message has no other place for them yet), and `isError` results as gptme errors.
 */
import { createHash } from "node:crypto";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

type ContentItem = CallToolResult["content"][number];

/** Saves a file the result carries where the tools can read it, and returns the path they see. */
export type SaveOutput = (name: string, body: Uint8Array) => Promise<string>;

export async function resultText(result: CallToolResult, options: { save: SaveOutput; toolName: string }): Promise<string> {
  const parts: string[] = [];
  for (const item of result.content ?? []) parts.push(await itemText(item, options.save));
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent, null, 2));
  const text = parts.join("\n").trim() || `${options.toolName} returned no content.`;
  if (!result.isError) return text;
  return /^Error\b/.test(text) ? text : `Error: ${text}`;
}

async function itemText(item: ContentItem, save: SaveOutput): Promise<string> {
  switch (item.type) {
    case "text":
      return item.text;
    case "image":
      return `[Image: ${item.mimeType}, saved to ${await saveBase64(save, item.data, item.mimeType)}]`;
    case "audio":
      return `[Audio: ${item.mimeType}, saved to ${await saveBase64(save, item.data, item.mimeType)}]`;
    case "resource_link": {
      const title = item.title ?? item.name;
      const description = item.description ? `: ${item.description}` : "";
      return `[Resource link: ${item.uri}${title ? ` (${title})` : ""}${description}]`;
    }
    case "resource": {
      const resource = item.resource;
      if ("text" in resource && typeof resource.text === "string") return `[Resource: ${resource.uri}]\n${resource.text}`;
      const mimeType = resource.mimeType ?? "application/octet-stream";
      const saved = await saveBase64(save, String((resource as { blob?: unknown }).blob ?? ""), mimeType);
      return `[Resource: ${resource.uri} (${mimeType}), saved to ${saved}]`;
    }
    default:
      return JSON.stringify(item);
  }
}

const extensions: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/svg+xml": "svg",
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "application/pdf": "pdf",
  "application/gzip": "gz",
  "application/json": "json",
  "text/plain": "txt",
};

/** `mcp-<YYYYMMDD_HHMMSS>-<sha8>.<ext>` in the sandbox's output area, beside the shell's saved outputs. */
async function saveBase64(save: SaveOutput, data: string, mimeType: string): Promise<string> {
  const body = Buffer.from(data, "base64");
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 8);
  return save(`mcp-${stamp}-${hash}.${extensions[mimeType] ?? "bin"}`, body);
}
