/**
 * The one place errors become HTTP: always `{ "error": "..." }` with the right status, never a
 * stack trace on the wire.
 */
import { ApiException, MultiException } from "chanfana";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { AppError } from "../runtime/errors.js";

type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 500 | 502 | 503;

interface ValidationIssue {
  message: string;
  path?: string[];
}

/** `["body","messages","0","content"]` + message → `messages[0].content: expected string, received number`. */
export function describeIssue(issue: ValidationIssue): string {
  const [location, ...rest] = issue.path ?? [];
  const message = issue.message.replace(/^Invalid input: /, "");
  if (location === "params" || rest.length === 0) return message;
  const field = rest.map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`)).join("");
  // Messages that already name their field ("session_id is required") are not prefixed again.
  const named = [field, ...rest].some((part) => message.startsWith(`${part} `));
  return named ? message : `${field}: ${message}`;
}

function validationMessage(error: ApiException | MultiException): string {
  const issues = error.buildResponse() as ValidationIssue[];
  // A bad path is reported alone, as gptme checks the ids in the URL before reading the body.
  const pathIssues = issues.filter((issue) => issue.path?.[0] === "params");
  const messages = [...new Set((pathIssues.length > 0 ? pathIssues : issues).map(describeIssue))];
  return messages.join("; ") || error.message;
}

export function errorBody(error: unknown): { status: ErrorStatus; body: Record<string, unknown> } {
  if (error instanceof AppError) {
    return { status: error.status as ErrorStatus, body: { error: error.message, ...error.extra } };
  }
  if (error instanceof MultiException || error instanceof ApiException) {
    const status = (error instanceof MultiException ? 400 : error.status) as ErrorStatus;
    return { status, body: { error: validationMessage(error) } };
  }
  if (error instanceof z.ZodError) {
    const message = error.issues.map((issue) => describeIssue({ message: issue.message, path: ["body", ...issue.path.map(String)] }));
    return { status: 400, body: { error: message.join("; ") } };
  }
  if (error instanceof Error && error.name === "ModelRequestError") {
    return { status: 502, body: { error: error.message } };
  }
  if (error instanceof HTTPException) {
    return { status: error.status as ErrorStatus, body: { error: error.message || "Request failed" } };
  }
  return { status: 500, body: { error: "Internal server error" } };
}

export function handleError(error: unknown, c: Context): Response {
  const { status, body } = errorBody(error);
  if (status >= 500 && !(error instanceof AppError)) console.error("Unhandled error:", error);
  return c.json(body, status);
}
