/**
 * A server's question (MCP form elicitation) asked through the server's elicitation mechanism
 * (`elicit_pending` events, `POST .../elicit/respond`): the fields in gptme's vocabulary out, the
 * answer back. A form's answer arrives as the JSON object of its fields (gptme's web client sends
 * it so), or, for a one-field form, as that field's value; `elicitResultOf` then checks each value
 * against the server's schema.
 */
import type { ElicitationField as AskedField, ElicitationRequest as AskedRequest, ElicitationResponse, Elicitations } from "../sessions/elicitation.js";
import type { ElicitationAnswer, ElicitationField, ElicitationRequest, ElicitationValue } from "./elicitation.js";

export function askThroughElicitations(elicitations: Pick<Elicitations, "ask">) {
  return async (conversationId: string, request: ElicitationRequest, signal?: AbortSignal): Promise<ElicitationAnswer> => {
    const response = await elicitations.ask(conversationId, askedRequest(request), { signal });
    return answerOf(request, response);
  };
}

function askedRequest(request: ElicitationRequest): AskedRequest {
  return { type: "form", prompt: request.prompt, fields: request.fields.map(askedField), description: `Asked by the MCP server "${request.source.server}"` };
}

function askedField(field: ElicitationField): AskedField {
  const hints = [field.description, field.type === "multi_choice" ? "several, comma-separated" : undefined, field.format].filter(Boolean);
  const asked: AskedField = {
    name: field.name,
    prompt: hints.length > 0 ? `${field.prompt} (${hints.join("; ")})` : field.prompt,
    type: field.type === "choice" ? "choice" : field.type === "boolean" ? "boolean" : field.type === "number" || field.type === "integer" ? "number" : "text",
    required: field.required,
  };
  if (field.options) asked.options = field.options;
  if (field.default !== undefined) asked.default = field.default;
  return asked;
}

function answerOf(request: ElicitationRequest, response: ElicitationResponse): ElicitationAnswer {
  if (response.action !== "accept") return { action: response.action };
  const values: Record<string, ElicitationValue> = {};
  const parsed = parseObject(response.value);
  if (parsed) {
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") values[name] = value;
      else if (Array.isArray(value)) values[name] = value.map(String);
    }
  } else if (request.fields.length === 1) {
    const only = request.fields[0]!.name;
    if (response.values) values[only] = response.values;
    else if (response.value !== null && response.value !== "") values[only] = response.value;
  }
  return { action: "accept", values };
}

function parseObject(value: string | null): Record<string, unknown> | undefined {
  if (!value || !value.trim().startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
