/** `GET /api/v2/tasks`: the web client asks on every load; there are no tasks yet. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnvironment } from "./bindings.js";
import { errorResponses, jsonContent } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

export class ListTasks extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["tasks"],
    summary: "Tasks (always empty: this server has no task runner)",
    responses: { "200": jsonContent(z.array(z.looseObject({})), "Tasks"), ...errorResponses(401) },
  };

  async handle(c: AppContext) {
    return c.json([]);
  }
}
