/**
 * gptme HEAD features gptme-ts does not have (see the README's "Out of scope"): external sessions,
 * skills, agents from git templates, artifacts and panels, audio, voice transcripts. The lists
 * the web UI asks for on every load answer empty; the actions check their input as gptme does
 * and then answer 501 with what is missing, never a bare 404.
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { AppError, BadRequestError, NotFoundError, PayloadTooLargeError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { ConversationParams, errorResponses, jsonContent } from "./schemas/common.js";
import { jsonObject, parseWith, pathParameter } from "./schemas/validate.js";

type AppContext = Context<AppEnvironment>;

const notSupported = (what: string) => new AppError(501, `${what} is not supported by gptme-ts`);

/** gptme's `days` (and `limit`) rules: integers, positive, capped. */
function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value.trim())) throw new BadRequestError(`${name} must be an integer`);
  const number = Number(value);
  if (number <= 0) throw new BadRequestError(`${name} must be a positive integer`);
  return number;
}

async function requireConversation(c: AppContext): Promise<string> {
  const id = pathParameter(c, "id");
  parseWith(ConversationParams, { id });
  if (!(await c.env.store.get(id))) throw new NotFoundError(`Conversation not found: ${id}`);
  return id;
}

export class ListExternalSessions extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "Sessions of other agent harnesses: always empty (gptme-ts reads none)",
    request: { query: z.object({ days: z.string().optional(), limit: z.string().optional() }) },
    responses: { "200": jsonContent(z.object({ sessions: z.array(z.looseObject({})) }), "No sessions"), ...errorResponses(400, 401) },
  };

  async handle(c: AppContext) {
    positiveInteger(c.req.query("limit"), "limit", 100);
    positiveInteger(c.req.query("days"), "days", 7);
    return c.json({ sessions: [] });
  }
}

export class GetExternalSession extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "An external session: never found",
    request: { params: z.object({ sessionId: z.string() }), query: z.object({ days: z.string().optional() }) },
    responses: errorResponses(400, 401, 404),
  };

  async handle(c: AppContext): Promise<Response> {
    positiveInteger(c.req.query("days"), "days", 7);
    throw new NotFoundError(`External session not found: ${pathParameter(c, "sessionId")}`);
  }
}

export class SteerExternalSession extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "Steer an external session: never found",
    request: { params: z.object({ sessionId: z.string() }) },
    responses: errorResponses(400, 401, 404),
  };

  async handle(c: AppContext): Promise<Response> {
    throw new NotFoundError(`External session not found: ${pathParameter(c, "sessionId")}`);
  }
}

export class ListSkills extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "Skills: always empty (gptme-ts has no skill registry)",
    responses: { "200": jsonContent(z.object({ skills: z.array(z.looseObject({})) }), "No skills"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    return c.json({ skills: [] });
  }
}

export class ListAgents extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "Agents: always empty (gptme-ts has no agent workspaces)",
    responses: { "200": jsonContent(z.array(z.looseObject({})), "No agents"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    return c.json([]);
  }
}

/** gptme's required-string checks of `PUT /api/v2/agents`, in its order. */
function requireString(body: Record<string, unknown>, name: string): void {
  const value = body[name];
  if (value === undefined || value === null || value === "") throw new BadRequestError(`${name} is required`);
  if (typeof value !== "string") throw new BadRequestError(`${name} must be a string`);
}

export class CreateAgent extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "Create an agent from a git template: not supported (501 once the body is valid)",
    request: {
      body: {
        content: {
          "application/json": {
            schema: z.object({ name: z.string(), template_repo: z.string(), template_branch: z.string(), fork_command: z.string(), path: z.string().optional() }),
          },
        },
      },
    },
    responses: errorResponses(400, 401, 501),
  };

  async handle(c: AppContext): Promise<Response> {
    const body = await jsonObject(c);
    for (const name of ["name", "template_repo", "template_branch", "fork_command"]) requireString(body, name);
    if (body.path !== undefined && body.path !== null && typeof body.path !== "string") throw new BadRequestError("path must be a string");
    throw notSupported("Creating agents from git templates");
  }
}

export class ListArtifacts extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "A conversation's artifacts: always empty (gptme-ts does not derive artifacts)",
    request: { params: ConversationParams },
    responses: { "200": jsonContent(z.object({ artifacts: z.array(z.looseObject({})) }), "No artifacts"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    await requireConversation(c);
    return c.json({ artifacts: [] });
  }
}

export class ListPanels extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "A conversation's panels: always empty (gptme-ts does not derive panels)",
    request: { params: ConversationParams },
    responses: { "200": jsonContent(z.object({ panels: z.array(z.looseObject({})) }), "No panels"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    await requireConversation(c);
    return c.json({ panels: [] });
  }
}

const maxAudioBytes = 25 * 1024 * 1024;
const audioFormats = ["aac", "flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"];

export class TranscribeAudio extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "Speech to text: not supported (400/413 for bad uploads, then 501)",
    responses: errorResponses(400, 401, 413, 501),
  };

  async handle(c: AppContext): Promise<Response> {
    const declared = Number(c.req.header("content-length") ?? "NaN");
    if (Number.isFinite(declared) && declared > maxAudioBytes + 64 * 1024) throw new PayloadTooLargeError("Audio file exceeds 25MB limit");
    if (!(c.req.header("content-type") ?? "").startsWith("multipart/form-data")) throw new BadRequestError("No audio file provided");
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const file = form.file;
    if (!(file instanceof File) || !file.name) throw new BadRequestError("No audio file provided");
    if (file.size === 0) throw new BadRequestError("Audio file is empty");
    if (file.size > maxAudioBytes) throw new PayloadTooLargeError("Audio file exceeds 25MB limit");
    const requested = typeof form.format === "string" ? form.format.trim().toLowerCase() : "";
    const format = requested || file.name.split(".").pop()?.toLowerCase() || "";
    if (!audioFormats.includes(format)) throw new BadRequestError(`Unsupported audio format. Supported formats: ${audioFormats.join(", ")}`);
    const language = typeof form.language === "string" ? form.language.trim() : "";
    if (language.length > 8) throw new BadRequestError("language must be a short ISO code");
    throw notSupported("Audio transcription");
  }
}

export class SynthesizeSpeech extends OpenAPIRoute<[AppContext]> {
  schema = { tags: ["out of scope"], summary: "Text to speech: not supported (501)", responses: errorResponses(401, 501) };

  async handle(_c: AppContext): Promise<Response> {
    throw notSupported("Text to speech");
  }
}

export class AppendTranscript extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["out of scope"],
    summary: "Voice call transcripts: not supported (400 for a malformed body, then 501)",
    request: { params: ConversationParams },
    responses: errorResponses(400, 401, 501),
  };

  async handle(c: AppContext): Promise<Response> {
    parseWith(ConversationParams, { id: pathParameter(c, "id") });
    const body = await jsonObject(c);
    const turns = body.turns;
    if (!Array.isArray(turns) || turns.length === 0) throw new BadRequestError("turns (list) is required");
    turns.forEach((turn, index) => {
      if (typeof turn !== "object" || turn === null || Array.isArray(turn)) throw new BadRequestError(`turns[${index}] must be an object`);
      const text = (turn as Record<string, unknown>).text;
      if (text !== undefined && text !== null && typeof text !== "string") throw new BadRequestError(`turns[${index}].text must be a string`);
    });
    const metadata = body.call_metadata;
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata) || Object.keys(metadata).length === 0) {
      throw new BadRequestError("call_metadata (object) is required");
    }
    const callSid = (metadata as Record<string, unknown>).call_sid;
    if (callSid === undefined || callSid === null || callSid === "") throw new BadRequestError("call_metadata.call_sid is required");
    if (typeof callSid !== "string") throw new BadRequestError("call_metadata.call_sid must be a string");
    throw notSupported("Voice call transcripts");
  }
}
