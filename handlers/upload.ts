/** `POST .../workspace/upload`: multipart uploads into the conversation's attachments (gptme HEAD). */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

const UploadedFile = z.object({
  name: z.string(),
  path: z.string().describe("`attachments/<name>`: use it in a message's `files`, or fetch it from `.../files/<path>`"),
  type: z.literal("file"),
  size: z.number().int(),
  modified: z.string(),
  mime_type: z.string().nullable(),
});

const UploadForm = z.object({
  file: z.string().describe("One or more file parts, under any field names"),
});

export class UploadFiles extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["workspace"],
    summary: "Upload files to the conversation's attachments",
    description:
      "Every file part is saved to `<logdir>/attachments/` under its own name (a taken name gets `-1`, `-2`... " +
      "before its suffixes); hidden and empty names are skipped. At most 50 MB a file (413), all or nothing.",
    request: {
      params: ConversationParams,
      body: { content: { "multipart/form-data": { schema: UploadForm } } },
    },
    responses: {
      "200": jsonContent(z.object({ files: z.array(UploadedFile) }), "Saved"),
      ...errorResponses(400, 401, 404, 409, 413),
    },
  };

  async handle(c: AppContext) {
    // The multipart body is not read here: the runtime streams it to disk.
    const { params } = await this.getValidatedData<typeof this.schema>();
    if (!(await c.env.store.get(params.id))) throw new NotFoundError(`Conversation not found: ${params.id}`);
    const files = await c.env.conversations.upload(params.id, {
      contentType: c.req.header("content-type") ?? "",
      body: c.req.raw.body,
    });
    return c.json({ files });
  }
}
