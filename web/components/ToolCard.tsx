import { useState } from "preact/hooks";
import type { ToolDecision } from "../api/session.js";
import type { ToolCard as ToolCardState } from "../conversation/live-state.js";
import { CodeBlock } from "./CodeBlock.js";

interface ToolCardProps {
  tool: ToolCardState;
  /** The reply the tool came from: content it already shows is not repeated in the card. */
  shownAbove: string;
  onDecide(decision: ToolDecision): void;
}

/** Whether the reply shows this content already (as its code block), ignoring surrounding whitespace. */
function alreadyShown(content: string, reply: string): boolean {
  const code = content.trim();
  return code !== "" && reply.includes(code);
}

const statusText: Record<ToolCardState["status"], string> = {
  pending: "Waiting for your decision.",
  submitting: "Sending your decision…",
  queued: "Confirmed, about to run…",
  executing: "Running…",
};

export function ToolCard({ tool, shownAbove, onDecide }: ToolCardProps) {
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState(tool.tooluse.content);
  const [choosingAuto, setChoosingAuto] = useState(false);
  const [autoCount, setAutoCount] = useState(5);
  const header = [tool.tooluse.tool, ...tool.tooluse.args].join(" ");
  const titleId = `tool-${tool.toolId}-title`;
  const pending = tool.status === "pending";
  // Servers send the content itself as the preview of tools that change no file (shell, tmux...).
  const changes = tool.preview && tool.preview !== tool.tooluse.content ? tool.preview : null;
  const repeated = !changes && alreadyShown(tool.tooluse.content, shownAbove);
  const approval = tool.tooluse.tool === "mcp" && tool.tooluse.args[0] === "approve";
  const question = approval
    ? "Start this MCP server?"
    : !repeated
      ? "Run this tool?"
      : tool.tooluse.tool === "shell"
        ? "Run the command above?"
        : `Run the ${header} block above?`;

  return (
    <section class={`tool-card tool-${tool.status}`} aria-labelledby={titleId}>
      <h2 id={titleId} class="tool-title">
        {pending ? question : tool.autoConfirm && tool.status === "queued" ? "Auto-confirmed tool" : "Tool"} {!(pending && repeated) && <code>{header}</code>}
      </h2>
      {editing ? (
        <form
          class="tool-edit"
          onSubmit={(event) => {
            event.preventDefault();
            setEditing(false);
            onDecide({ action: "edit", content: edited });
          }}
        >
          <label for={`${titleId}-edit`}>Edit the content before it runs</label>
          <textarea id={`${titleId}-edit`} value={edited} rows={Math.min(16, edited.split("\n").length + 1)} onInput={(event) => setEdited(event.currentTarget.value)} />
          <div class="tool-actions">
            <button type="submit" class="button button-primary button-small">
              Run edited
            </button>
            <button type="button" class="button-quiet button-small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : changes ? (
        <CodeBlock code={changes} info={`${header} (changes)`} language="diff" />
      ) : (
        tool.tooluse.content && !repeated && <CodeBlock code={tool.tooluse.content} info={header} />
      )}
      {tool.output && <pre class="tool-output">{tool.output}</pre>}
      {pending && !editing && (
        <div class="tool-actions" role="group" aria-label="Decide about this tool">
          <button type="button" class="button button-primary button-small" onClick={() => onDecide({ action: "confirm" })}>
            Confirm
          </button>
          <button type="button" class="button button-small" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" class="button button-small" onClick={() => onDecide({ action: "skip" })}>
            Skip
          </button>
          {choosingAuto ? (
            <span class="auto-confirm">
              <label for={`${titleId}-auto`}>Run this and auto-confirm the next</label>
              <input
                id={`${titleId}-auto`}
                type="number"
                min={1}
                max={100}
                value={autoCount}
                onInput={(event) => setAutoCount(Math.max(1, Number(event.currentTarget.value) || 1))}
              />
              <button type="button" class="button button-small" onClick={() => onDecide({ action: "auto", count: autoCount })}>
                Start
              </button>
            </span>
          ) : (
            <button type="button" class="button button-small" onClick={() => setChoosingAuto(true)}>
              Auto
            </button>
          )}
        </div>
      )}
      {!pending && (
        <p class="tool-status">
          <span class="spinner" aria-hidden="true" /> {statusText[tool.status]}
        </p>
      )}
    </section>
  );
}
