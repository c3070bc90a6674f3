/**
 * Routes gptme HEAD added beyond conversations and sessions: tools, commands, tasks, admin views,
 * user settings, elicitation, and the out-of-scope features' empty lists and 501s.
 */
import type { Hono } from "hono";
import { ApiConfig, DeleteSession, ListSessions, ProvidersHealth } from "./admin.js";
import type { AppEnvironment } from "./bindings.js";
import { ListCommands } from "./commands.js";
import { RespondElicitation } from "./elicitation.js";
import {
  AppendTranscript,
  CreateAgent,
  GetExternalSession,
  ListAgents,
  ListArtifacts,
  ListExternalSessions,
  ListPanels,
  ListSkills,
  SteerExternalSession,
  SynthesizeSpeech,
  TranscribeAudio,
} from "./out-of-scope.js";
import type { ApiRouter } from "./routes.js";
import { ArchiveTask, CreateTask, GetTask, ListTasks, UnarchiveTask, UpdateTask } from "./tasks.js";
import { ListTools, queryToolsHandler } from "./tools.js";
import {
  GetUser,
  GetUserAvatar,
  GetUserConfigFile,
  GetUserSettings,
  PatchUserConfigFile,
  ReplaceUserConfigFile,
  SaveApiKey,
  SaveDefaultModel,
  SaveFavorites,
} from "./user.js";

export function registerHeadRoutes(api: ApiRouter, app: Hono<AppEnvironment>): void {
  api.get("/api/v2/tools", ListTools);
  // HTTP QUERY (a safe method with a body) has no place in an OpenAPI 3.1 document: see the README.
  app.on("QUERY", "/api/v2/tools", queryToolsHandler);
  api.get("/api/v2/commands", ListCommands);
  api.get("/api/v2/config", ApiConfig);

  api.get("/api/v2/tasks", ListTasks);
  api.post("/api/v2/tasks", CreateTask);
  api.get("/api/v2/tasks/:taskId", GetTask);
  api.put("/api/v2/tasks/:taskId", UpdateTask);
  api.post("/api/v2/tasks/:taskId/archive", ArchiveTask);
  api.post("/api/v2/tasks/:taskId/unarchive", UnarchiveTask);

  api.get("/api/v2/sessions", ListSessions);
  api.delete("/api/v2/sessions/:sid", DeleteSession);
  api.get("/api/v2/providers/health", ProvidersHealth);
  api.post("/api/v2/conversations/:id/elicit/respond", RespondElicitation);

  api.get("/api/v2/user", GetUser);
  api.get("/api/v2/user/avatar", GetUserAvatar);
  api.get("/api/v2/user/settings", GetUserSettings);
  api.post("/api/v2/user/api-key", SaveApiKey);
  api.post("/api/v2/user/default-model", SaveDefaultModel);
  api.post("/api/v2/user/favorites", SaveFavorites);
  api.get("/api/v2/user/config-file", GetUserConfigFile);
  api.put("/api/v2/user/config-file", ReplaceUserConfigFile);
  api.patch("/api/v2/user/config-file", PatchUserConfigFile);

  api.get("/api/v2/external-sessions", ListExternalSessions);
  api.get("/api/v2/external-sessions/:sessionId", GetExternalSession);
  api.post("/api/v2/external-sessions/:sessionId/steer", SteerExternalSession);
  api.get("/api/v2/skills", ListSkills);
  api.get("/api/v2/agents", ListAgents);
  api.put("/api/v2/agents", CreateAgent);
  api.get("/api/v2/conversations/:id/artifacts", ListArtifacts);
  api.get("/api/v2/conversations/:id/panels", ListPanels);
  api.post("/api/v2/audio/transcriptions", TranscribeAudio);
  api.post("/api/v2/audio/speech", SynthesizeSpeech);
  api.post("/api/v2/conversations/:id/transcript", AppendTranscript);
}
