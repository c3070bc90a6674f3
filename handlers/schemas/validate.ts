/**
 * Validation with gptme's own messages (`provider must be a string`): the route's zod schema is
 * both the OpenAPI document and the check, and the first issue's message is the error, as is.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { BadRequestError } from "../../runtime/errors.js";

/** `required` when absent, `invalid` for any other wrong value: gptme's two messages for a field. */
export function fieldError(required: string, invalid: string) {
  return { error: (issue: { input: unknown }) => (issue.input === undefined ? required : invalid) };
}

export function parseWith<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadRequestError(result.error.issues[0]?.message ?? "Invalid request body");
  return result.data;
}

/** The JSON body (the json-body middleware has already made it an object, or `{}` when empty). */
export async function jsonObject(c: Context): Promise<Record<string, unknown>> {
  return (await c.req.json()) as Record<string, unknown>;
}

/** A path parameter of the matched route (always present once the route matched). */
export function pathParameter(c: Context, name: string): string {
  return c.req.param(name) ?? "";
}
