/**
 * The admin views gptme HEAD's web UI shows: live sessions (list, end one), server health with
 * its session slots, provider health, and the project's agent config.
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { NotFoundError } from "../runtime/errors.js";
import type { SessionInfo } from "../runtime/sessions/types.js";
import type { AppEnvironment } from "./bindings.js";
import { errorResponses, jsonContent } from "./schemas/common.js";
import { pathParameter } from "./schemas/validate.js";

type AppContext = Context<AppEnvironment>;

const elapsedSeconds = (session: SessionInfo, now: number) =>
  session.generating && session.generatingSince !== null ? (now - session.generatingSince) / 1000 : null;

export const ActiveSession = z.object({
  id: z.string(),
  conversation_id: z.string(),
  model: z.string().nullable(),
  message_count: z.number(),
  generating: z.boolean(),
  elapsed_seconds: z.number().nullable(),
  created_at: z.string(),
  last_activity: z.string(),
});

export class ListSessions extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["admin"],
    summary: "Live sessions (a bare array, as gptme HEAD)",
    responses: { "200": jsonContent(z.array(ActiveSession), "Sessions"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    const now = Date.now();
    const sessions = c.env.sessions.list();
    const conversations = new Map<string, { model: string | null; messageCount: number }>();
    for (const conversationId of new Set(sessions.map((session) => session.conversationId))) {
      const conversation = await c.env.store.get(conversationId);
      conversations.set(conversationId, {
        model: conversation?.config.chat.model || null,
        messageCount: conversation?.messageCount ?? 0,
      });
    }
    return c.json(
      sessions.map((session) => ({
        id: session.id,
        conversation_id: session.conversationId,
        model: conversations.get(session.conversationId)?.model ?? null,
        message_count: conversations.get(session.conversationId)?.messageCount ?? 0,
        generating: session.generating,
        elapsed_seconds: elapsedSeconds(session, now),
        created_at: new Date(session.createdAt).toISOString(),
        last_activity: new Date(session.lastActivity).toISOString(),
      })),
    );
  }
}

export class DeleteSession extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["admin"],
    summary: "End a session, interrupting the generation it started (the conversation stays)",
    request: { params: z.object({ sid: z.string() }) },
    responses: {
      "200": jsonContent(z.object({ status: z.literal("ok"), message: z.string() }), "Ended"),
      ...errorResponses(401, 404),
    },
  };

  async handle(c: AppContext) {
    const sessionId = pathParameter(c, "sid");
    if (!(await c.env.sessions.remove(sessionId))) throw new NotFoundError(`Session not found: ${sessionId}`);
    return c.json({ status: "ok" as const, message: `Session ${sessionId} deleted` });
  }
}

export const ServerHealthBody = z.object({
  session_count: z.number(),
  generating_count: z.number(),
  idle_count: z.number(),
  health: z.enum(["green", "yellow", "red"]).describe("green: nothing generating; yellow: some sessions; red: every session"),
  slots: z.array(z.object({ id: z.string().describe("First 8 characters of the session id"), generating: z.boolean(), elapsed_seconds: z.number().nullable() })),
  status: z.literal("ok"),
  provider_configured: z.boolean(),
  version: z.string(),
});

export class ServerHealth extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["server"],
    summary: "Server health: session counts and slots (gptme HEAD's shape), plus provider and version",
    responses: { "200": jsonContent(ServerHealthBody, "Health"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    const now = Date.now();
    const sessions = c.env.sessions.list();
    const generating = sessions.filter((session) => session.generating).length;
    const health = generating === 0 ? "green" : generating < sessions.length ? "yellow" : "red";
    return c.json({
      session_count: sessions.length,
      generating_count: generating,
      idle_count: sessions.length - generating,
      health: health as "green" | "yellow" | "red",
      slots: sessions.map((session) => ({
        id: session.id.slice(0, 8),
        generating: session.generating,
        elapsed_seconds: elapsedSeconds(session, now),
      })),
      status: "ok" as const,
      provider_configured: c.env.models.providerConfigured(),
      version: c.env.settings.version,
    });
  }
}

const ProviderHealth = z.object({
  status: z.enum(["ok", "error", "configured"]),
  latency_ms: z.number().nullable(),
  error: z.string().nullable(),
});

export class ProvidersHealth extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["models"],
    summary: "Health of each configured provider (its model list, with its key), cached 60 s",
    request: { query: z.object({ force: z.string().optional().describe("`1`/`true`: probe again now") }) },
    responses: {
      "200": jsonContent(z.object({ providers: z.record(z.string(), ProviderHealth) }), "Provider health"),
      ...errorResponses(401),
    },
  };

  async handle(c: AppContext) {
    const force = ["1", "true", "yes"].includes((c.req.query("force") ?? "").toLowerCase());
    return c.json({ providers: await c.env.providerHealth.check(force) });
  }
}

export class ApiConfig extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["server"],
    summary: "The project's agent config: `[agent]` name and urls of the default workspace's gptme.toml (no auth)",
    responses: {
      "200": jsonContent(
        z.object({ agent: z.object({ name: z.string().optional(), urls: z.record(z.string(), z.string()).optional() }) }),
        "Agent config",
      ),
    },
  };

  async handle(c: AppContext) {
    return c.json({ agent: c.env.projectAgent() });
  }
}
