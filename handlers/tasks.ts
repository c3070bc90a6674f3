/**
 * gptme's tasks API: `GET/POST /api/v2/tasks`, `GET/PUT /api/v2/tasks/{id}`, `archive`/`unarchive`.
 * A task is kept in the store and owns conversations (`<task id>-0`, ...) in a shared workspace.
 */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { BadRequestError } from "../runtime/errors.js";
import { targetTypes, taskStatuses, type TaskStatus } from "../runtime/store/task-store.js";
import type { AppEnvironment } from "./bindings.js";
import { errorResponses, jsonContent } from "./schemas/common.js";
import { jsonObject, parseWith, pathParameter } from "./schemas/validate.js";

type AppContext = Context<AppEnvironment>;
const tags = ["tasks"];

const TargetType = z.enum(["stdout", "pr", "email", "tweet"], {
  error: `target_type must be one of: ${targetTypes.join(", ")}`,
});
const Metadata = z.record(z.string(), z.unknown(), { error: "metadata must be an object" });

export const Task = z.object({
  id: z.string(),
  content: z.string(),
  created_at: z.string(),
  status: z.enum(["pending", "active", "completed", "failed"]),
  target_type: TargetType,
  target_repo: z.string().nullable(),
  conversation_ids: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  archived: z.boolean(),
});

export const TaskInfo = Task.extend({
  workspace: z.string().optional().describe("The workspace of the task's latest conversation"),
  conversation: z.object({ id: z.string(), name: z.string(), message_count: z.number() }).optional(),
  git: z
    .looseObject({
      branch: z.string().nullable().optional(),
      clean: z.boolean().nullable().optional(),
      files: z.array(z.string()).optional(),
      remote_url: z.string().nullable().optional(),
      pr_url: z.string().nullable().optional(),
      pr_status: z.string().nullable().optional(),
      pr_merged: z.boolean().nullable().optional(),
      error: z.string().optional(),
    })
    .optional(),
  warning: z.string().optional().describe("Creating: the target repository could not be cloned"),
});

export const CreateTaskBody = z.object({
  content: z.string({
    error: (issue) => (issue.input === undefined ? "Missing required field: content" : "content must be a string"),
  }),
  target_type: TargetType.optional(),
  target_repo: z.string({ error: "target_repo must be a string" }).nullable().optional().describe("owner/repo, cloned into the task's workspace"),
  metadata: Metadata.optional(),
});

export const UpdateTaskBody = z.object({
  content: z.string({ error: "content must be a string" }).optional(),
  target_type: TargetType.optional(),
  target_repo: z.string({ error: "target_repo must be a string or null" }).nullable().optional(),
  metadata: Metadata.optional(),
});

const TaskParams = z.object({ taskId: z.string() });
const StatusMessage = z.object({ status: z.literal("ok"), message: z.string() });

export class ListTasks extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Tasks, newest first (gptme HEAD's `{tasks: [...]}`)",
    request: {
      query: z.object({
        include_archived: z.string().optional().describe("`true`/`1`: include archived tasks"),
        status: z.string().optional().describe("Only tasks with this status"),
      }),
    },
    description: "With `GPTME_TASKS_LIST=array` the server answers a bare array (gptme v0.31's shape, for the archived gptme-webui).",
    responses: {
      "200": jsonContent(z.union([z.object({ tasks: z.array(Task) }), z.array(Task)]), "Tasks"),
      ...errorResponses(400, 401),
    },
  };

  async handle(c: AppContext) {
    const includeArchived = ["true", "1"].includes((c.req.query("include_archived") ?? "false").toLowerCase());
    const status = c.req.query("status");
    if (status !== undefined && !taskStatuses.includes(status as TaskStatus)) {
      throw new BadRequestError(`status must be one of: ${taskStatuses.join(", ")}`);
    }
    const tasks = await c.env.tasks.list({ includeArchived, status: status as TaskStatus | undefined });
    return c.json(c.env.tasks.listShape === "array" ? tasks : { tasks });
  }
}

export class CreateTask extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Create a task and its first conversation",
    description:
      "The conversation `<task id>-0` starts with the user message `Task: <content>`; with `target_repo` " +
      "(`owner/repo`) the repository is cloned into the task's workspace first (`warning` says when it could not be).",
    request: { body: { content: { "application/json": { schema: CreateTaskBody } } } },
    responses: { "201": jsonContent(TaskInfo, "Created"), ...errorResponses(400, 401) },
  };

  async handle(c: AppContext) {
    const body = parseWith(CreateTaskBody, await jsonObject(c));
    const task = await c.env.tasks.create({
      content: body.content,
      target_type: body.target_type ?? "stdout",
      target_repo: body.target_repo ?? null,
      metadata: body.metadata ?? {},
    });
    return c.json(task, 201);
  }
}

export class GetTask extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "A task with its workspace, latest conversation and git state",
    request: { params: TaskParams },
    responses: { "200": jsonContent(TaskInfo, "The task"), ...errorResponses(401, 404) },
  };

  async handle(c: AppContext) {
    return c.json(await c.env.tasks.info(pathParameter(c, "taskId")));
  }
}

export class UpdateTask extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Update a task's content, target or metadata (metadata is merged)",
    description: "`status` cannot be set (it is derived); any other unknown field answers 400.",
    request: { params: TaskParams, body: { content: { "application/json": { schema: UpdateTaskBody } } } },
    responses: { "200": jsonContent(TaskInfo, "The updated task"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    const id = pathParameter(c, "taskId");
    await c.env.tasks.info(id);
    const raw = await jsonObject(c);
    if ("status" in raw) {
      throw new BadRequestError(
        "status cannot be set directly; it is derived from conversation and git state. Use the archive endpoint to archive a task.",
      );
    }
    const unknown = Object.keys(raw).filter((key) => !["content", "target_type", "target_repo", "metadata"].includes(key));
    if (unknown.length > 0) throw new BadRequestError(`unknown field(s): ${unknown.sort().join(", ")}`);
    return c.json(await c.env.tasks.update(id, parseWith(UpdateTaskBody, raw)));
  }
}

export class ArchiveTask extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Archive a task (hidden from the list unless `include_archived`)",
    request: { params: TaskParams },
    responses: { "200": jsonContent(StatusMessage, "Archived"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    const id = pathParameter(c, "taskId");
    await c.env.tasks.setArchived(id, true);
    return c.json({ status: "ok" as const, message: `Task ${id} archived` });
  }
}

export class UnarchiveTask extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags,
    summary: "Unarchive a task",
    request: { params: TaskParams },
    responses: { "200": jsonContent(StatusMessage, "Unarchived"), ...errorResponses(400, 401, 404) },
  };

  async handle(c: AppContext) {
    const id = pathParameter(c, "taskId");
    await c.env.tasks.setArchived(id, false);
    return c.json({ status: "ok" as const, message: `Task ${id} unarchived` });
  }
}
