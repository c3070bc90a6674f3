import { conversationPath, encodePath, request, requestJson } from "./client.js";
import type { FilePreviewResult, WorkspaceEntry } from "./types.js";

function workspaceUrl(conversationId: string, path: string): string {
  const encoded = encodePath(path);
  return `${conversationPath(conversationId)}/workspace${encoded ? `/${encoded}` : ""}`;
}

export async function listWorkspace(conversationId: string, path: string, signal?: AbortSignal): Promise<WorkspaceEntry[]> {
  const listing = await requestJson<WorkspaceEntry[] | WorkspaceEntry>(workspaceUrl(conversationId, path), { signal });
  const entries = Array.isArray(listing) ? listing : [listing];
  return sortDirectoriesFirst(entries);
}

export function sortDirectoriesFirst(entries: WorkspaceEntry[]): WorkspaceEntry[] {
  return [...entries].sort((a, b) => {
    if (a.type !== b.type) return a.type === "directory" ? -1 : 1;
    return a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
  });
}

/** Images come back as raw bytes, everything else as JSON; the caller must revoke an image's object URL. */
export async function previewFile(conversationId: string, path: string, signal?: AbortSignal): Promise<FilePreviewResult> {
  const response = await request(`${workspaceUrl(conversationId, path)}/preview`, { signal });
  const contentType = response.headers.get("Content-Type") ?? "";
  if (contentType.startsWith("image/")) {
    return { type: "image", url: URL.createObjectURL(await response.blob()) };
  }
  return (await response.json()) as FilePreviewResult;
}

export function fileUrl(conversationId: string, path: string): string {
  return `${conversationPath(conversationId)}/files/${encodePath(path)}`;
}
