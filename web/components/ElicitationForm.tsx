import { useState } from "preact/hooks";
import type { ElicitationReply } from "../api/mcp.js";
import type { ElicitPending } from "../api/types.js";

interface ElicitationFormProps {
  question: ElicitPending;
  onAnswer(reply: ElicitationReply): Promise<void>;
}

type Field = NonNullable<ElicitPending["fields"]>[number];

/** A one-field question (text, choice, secret, confirmation) as a form field, so one renderer serves both. */
function fieldsOf(question: ElicitPending): Field[] {
  if (question.elicit_type === "form") return question.fields ?? [];
  const type = question.elicit_type === "confirmation" ? "boolean" : question.elicit_type;
  return [{ name: "value", prompt: "Answer", type, options: question.options ?? null, required: true, default: question.default ?? null }];
}

function initialValue(field: Field): string | boolean | string[] {
  if (field.type === "boolean") return /^(true|yes|1)$/i.test(field.default ?? "");
  if (field.type === "multi_choice") return field.default ? field.default.split(",").map((part) => part.trim()) : [];
  return field.default ?? "";
}

/**
 * A question from the agent or one of its MCP servers: its fields, then Submit, Decline or Cancel.
 * A form's answer goes back as the JSON object of its fields (as gptme's web client sends it).
 */
export function ElicitationForm({ question, onAnswer }: ElicitationFormProps) {
  const fields = fieldsOf(question);
  const [values, setValues] = useState<Record<string, string | boolean | string[]>>(() => Object.fromEntries(fields.map((field) => [field.name, initialValue(field)])));
  const [sending, setSending] = useState(false);
  const titleId = `elicit-${question.elicit_id}-title`;
  const set = (name: string, value: string | boolean | string[]) => setValues((current) => ({ ...current, [name]: value }));

  const answer = async (reply: ElicitationReply) => {
    setSending(true);
    try {
      await onAnswer(reply);
    } finally {
      setSending(false);
    }
  };

  const submit = () => {
    if (question.elicit_type === "form") return answer({ action: "accept", value: JSON.stringify(values) });
    const only = values.value;
    if (Array.isArray(only)) return answer({ action: "accept", values: only });
    return answer({ action: "accept", value: typeof only === "boolean" ? (only ? "yes" : "no") : only });
  };

  return (
    <section class="elicitation-card" aria-labelledby={titleId}>
      <h2 id={titleId} class="tool-title">
        {question.prompt}
      </h2>
      {question.description && <p class="muted">{question.description}</p>}
      <form
        class="elicitation-fields"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {fields.map((field) => {
          const id = `elicit-${question.elicit_id}-${field.name}`;
          const value = values[field.name];
          const label = `${field.prompt}${field.required ? "" : " (optional)"}`;
          if (field.type === "boolean") {
            return (
              <label key={field.name} class="elicitation-check" for={id}>
                <input id={id} type="checkbox" checked={value === true} onChange={(event) => set(field.name, event.currentTarget.checked)} /> {label}
              </label>
            );
          }
          if (field.options && field.type === "multi_choice") {
            const chosen = Array.isArray(value) ? value : [];
            return (
              <fieldset key={field.name}>
                <legend>{label}</legend>
                {field.options.map((option) => (
                  <label key={option} class="elicitation-check">
                    <input
                      type="checkbox"
                      checked={chosen.includes(option)}
                      onChange={(event) => set(field.name, event.currentTarget.checked ? [...chosen, option] : chosen.filter((item) => item !== option))}
                    />{" "}
                    {option}
                  </label>
                ))}
              </fieldset>
            );
          }
          return (
            <label key={field.name} for={id}>
              {label}
              {field.options ? (
                <select id={id} value={String(value)} required={field.required} onChange={(event) => set(field.name, event.currentTarget.value)}>
                  {!field.required && <option value="">—</option>}
                  {field.options.map((option) => (
                    <option key={option} value={option}>
                      {option}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  id={id}
                  type={field.type === "secret" ? "password" : field.type === "number" ? "number" : "text"}
                  step={field.type === "number" ? "any" : undefined}
                  value={String(value)}
                  required={field.required}
                  onInput={(event) => set(field.name, event.currentTarget.value)}
                />
              )}
            </label>
          );
        })}
        <div class="tool-actions">
          <button type="submit" class="button button-primary button-small" disabled={sending}>
            Submit
          </button>
          <button type="button" class="button-quiet button-small" disabled={sending} onClick={() => void answer({ action: "decline" })}>
            Decline
          </button>
          <button type="button" class="button-quiet button-small" disabled={sending} onClick={() => void answer({ action: "cancel" })}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
