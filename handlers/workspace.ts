/** Workspace browsing and file serving, confined to the conversation's workspace. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { ConversationId, errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;
const tags = ["workspace"];

const WorkspaceEntry = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(["file", "directory"]),
  size: z.number(),
  modified: z.string(),
  mime_type: z.string().nullable(),
});

const PathParams = z.object({ id: ConversationId, path: z.string() });

async function workspaceOf(c: AppContext, id: string): Promise<string> {
  const conversation = await c.env.store.get(id);
  if (!conversation) throw new NotFoundError(`Conversation not found: ${id}`);
  return conversation.workspace;
}

const BrowseQuery = z.object({
  show_hidden: z.string().optional(),
  root: z
    .enum(["workspace", "attachments"], { error: "root must be 'workspace' or 'attachments'" })
    .optional()
    .describe("`attachments`: browse the conversation's uploads instead of its workspace (gptme HEAD)"),
});

/** The folder browsed: the workspace, or the uploads with `?root=attachments`. */
async function browsedRoot(c: AppContext, id: string, root: string | undefined): Promise<string> {
  const workspace = await workspaceOf(c, id);
  return root === "attachments" ? c.env.conversations.attachmentsDirectory(id) : workspace;
}

/** A conversation without uploads has an empty attachments folder, not a missing one. */
async function listing(c: AppContext, root: string, path: string, query: z.infer<typeof BrowseQuery>) {
  try {
    return await c.env.workspaceFiles.list(root, path, { showHidden: query.show_hidden === "true" });
  } catch (error) {
    if (query.root === "attachments" && path === "" && error instanceof NotFoundError) return [];
    throw error;
  }
}

/** The rest of the URL after a prefix, decoded (Hono's `:path{.+}` param). */
function pathParam(c: AppContext): string {
  return c.req.param("path") ?? "";
}

export class ListWorkspace extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "List the workspace root",
    request: {
      params: z.object({ id: ConversationId }),
      query: BrowseQuery,
    },
    responses: { "200": jsonContent(z.array(WorkspaceEntry), "Entries"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    const { params, query } = await this.getValidatedData<typeof this.schema>();
    const root = await browsedRoot(c, params.id, query.root);
    return c.json(await listing(c, root, "", query));
  }
}

export class ListWorkspacePath extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "List a workspace folder, or describe a file",
    request: { params: PathParams, query: BrowseQuery },
    responses: {
      "200": jsonContent(z.union([z.array(WorkspaceEntry), WorkspaceEntry]), "Entries or one entry"),
      ...errorResponses(400, 401, 403, 404),
    },
  };

  async handle(c: AppContext) {
    const { params, query } = await this.getValidatedData<typeof this.schema>();
    const root = await browsedRoot(c, params.id, query.root);
    return c.json(await listing(c, root, pathParam(c), query));
  }
}

const TextPreview = z.object({
  type: z.literal("text"),
  content: z.string(),
  truncated: z.boolean().optional().describe("Only the first 10 MB are shown"),
  total_size: z.number().optional(),
});
const BinaryPreview = z.object({ type: z.literal("binary"), metadata: WorkspaceEntry });

/** gptme's `.../workspace/<path>/preview`: registered before the folder listing, which would match it too. */
export class PreviewWorkspaceFile extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Preview a workspace file: its text, an image's bytes, or a binary file's entry",
    request: { params: PathParams, query: BrowseQuery.pick({ root: true }) },
    responses: {
      "200": {
        description: "Text or a binary file's entry as JSON; an image as itself",
        content: {
          "application/json": { schema: z.union([TextPreview, BinaryPreview]) },
          "image/*": { schema: z.string().describe("The image's bytes") },
        },
      },
      ...errorResponses(400, 401, 403, 404),
    },
  };

  async handle(c: AppContext) {
    const { params, query } = await this.getValidatedData<typeof this.schema>();
    const root = await browsedRoot(c, params.id, query.root);
    const preview = await c.env.workspaceFiles.preview(root, pathParam(c));
    if (preview.type === "image") {
      return c.body(preview.body as Uint8Array<ArrayBuffer>, 200, { "Content-Type": preview.mimeType });
    }
    return c.json(preview);
  }
}

/** `attachments/<name>` is an upload when the conversation has one by that name (gptme looks in the log dir first). */
async function readAttachment(c: AppContext, id: string, path: string) {
  if (!path.startsWith("attachments/")) return null;
  try {
    return await c.env.workspaceFiles.read(c.env.conversations.attachmentsDirectory(id), path.slice("attachments/".length));
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export class ConversationFile extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "A file of the conversation: `attachments/<name>` for an upload, else a workspace path",
    request: { params: PathParams },
    responses: {
      "200": { description: "The file's bytes", content: { "application/octet-stream": { schema: z.string() } } },
      ...errorResponses(400, 401, 403, 404),
    },
  };

  async handle(c: AppContext) {
    const { params } = await this.getValidatedData<typeof this.schema>();
    const root = await workspaceOf(c, params.id);
    const file = await readAttachment(c, params.id, pathParam(c)) ?? (await c.env.workspaceFiles.read(root, pathParam(c)));
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": file.mimeType,
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "sandbox",
    });
  }
}
