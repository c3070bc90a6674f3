import { requestJson } from "./client.js";
import type { ModelList, ServerInfo } from "./types.js";

export function fetchServerInfo(): Promise<ServerInfo> {
  return requestJson<ServerInfo>("/api/v2");
}

export async function fetchModels(): Promise<ModelList> {
  const list = await requestJson<Partial<ModelList>>("/api/v2/models");
  return { models: Array.isArray(list.models) ? list.models : [], default: list.default ?? null };
}
