/** Routes beyond conversation CRUD: sessions and events, workspace and files, V1 (gptme HEAD's newer ones: head-routes.ts). */
import type { HonoOpenAPIRouterType } from "chanfana";
import type { AppEnvironment } from "./bindings.js";
import { ConversationEvents } from "./events.js";
import { ForkConversation } from "./fork.js";
import { ConversationMcpServers } from "./mcp.js";
import { DeleteMessage, EditMessage } from "./messages.js";
import { RerunTools } from "./rerun.js";
import { UploadFiles } from "./upload.js";
import { ConfirmTool, InterruptGeneration, StepConversation } from "./sessions.js";
import { V1AppendMessage, V1CreateConversation, V1Generate, V1GetConversation, V1ListConversations } from "./v1.js";
import { ConversationFile, ListWorkspace, ListWorkspacePath, PreviewWorkspaceFile } from "./workspace.js";

export type ApiRouter = HonoOpenAPIRouterType<AppEnvironment>;

export function registerExtraRoutes(api: ApiRouter): void {
  api.get("/api/v2/conversations/:id/events", ConversationEvents);
  api.patch("/api/v2/conversations/:id/messages/:index{[0-9]+}", EditMessage);
  api.delete("/api/v2/conversations/:id/messages/:index{[0-9]+}", DeleteMessage);
  api.post("/api/v2/conversations/:id/fork", ForkConversation);
  api.post("/api/v2/conversations/:id/rerun", RerunTools);
  api.post("/api/v2/conversations/:id/step", StepConversation);
  api.post("/api/v2/conversations/:id/tool/confirm", ConfirmTool);
  api.post("/api/v2/conversations/:id/interrupt", InterruptGeneration);
  api.get("/api/v2/conversations/:id/workspace", ListWorkspace);
  api.post("/api/v2/conversations/:id/workspace/upload", UploadFiles);
  // Hono's RegExpRouter runs the first of two overlapping `{.+}` routes it finds, so the listing
  // excludes paths that end in /preview instead of relying on the order.
  api.get("/api/v2/conversations/:id/workspace/:path{.+}/preview", PreviewWorkspaceFile);
  api.get("/api/v2/conversations/:id/workspace/:path{(?!.*/preview$).+}", ListWorkspacePath);
  api.get("/api/v2/conversations/:id/files/:path{.+}", ConversationFile);
  api.get("/api/v2/conversations/:id/mcp", ConversationMcpServers);
  api.get("/api/conversations", V1ListConversations);
  api.get("/api/conversations/:id", V1GetConversation);
  api.put("/api/conversations/:id", V1CreateConversation);
  api.post("/api/conversations/:id", V1AppendMessage);
  api.post("/api/conversations/:id/generate", V1Generate);
  api.get("/api/conversations/:id/files/:path{.+}", ConversationFile);
}
