/** `GET /api/v0/metrics`: Prometheus text (gptme HEAD's route); the token is required unless `--metrics-public`. */
import { OpenAPIRoute } from "chanfana";
import type { Context } from "hono";
import { z } from "zod";
import { NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";
import { errorResponses } from "./schemas/common.js";

type AppContext = Context<AppEnvironment>;

export class PrometheusMetrics extends OpenAPIRoute<[AppContext]> {
  schema = {
    tags: ["server"],
    summary: "Metrics in Prometheus text format",
    description:
      "Requests by route and status with latency histograms, active event streams and generations, model " +
      "tokens and cost by provider, tool runs by tool and outcome with durations, sandbox starts, store size, " +
      "and the process's own metrics. Needs the token unless the server runs with `--metrics-public`.",
    responses: {
      "200": { description: "Prometheus text exposition", content: { "text/plain": { schema: z.string() } } },
      ...errorResponses(401, 404),
    },
  };

  async handle(c: AppContext) {
    if (!c.env.metrics) throw new NotFoundError("Metrics are not collected by this server");
    const { contentType, body } = await c.env.metrics.render();
    return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
  }
}
