import { useEffect, useRef, useState } from "preact/hooks";
import { fetchMcpOverview } from "../api/mcp.js";
import type { McpOverview, McpServerStatus } from "../api/types.js";
import { Icon } from "./Icon.js";

interface McpServersPanelProps {
  conversationId: string;
  /** Bumped when a server's state or the MCP config changed: the list is loaded again. */
  changes: number;
  onClose(): void;
}

const stateText: Record<McpServerStatus["state"], string> = {
  stopped: "not started",
  starting: "starting…",
  running: "running",
  failed: "failed",
  "needs-approval": "waits for your approval",
  disabled: "disabled",
};

function describeState(server: McpServerStatus): string {
  if (server.state === "stopped" && server.loaded) return "stopped (starts on the next call)";
  return stateText[server.state] ?? server.state;
}

const layerText = { user: "your config", project: "the workspace's gptme.toml", conversation: "this conversation's config" };

/** The conversation's MCP servers: where each is declared, what it runs, its state, tools and last error. */
export function McpServersPanel({ conversationId, changes, onClose }: McpServersPanelProps) {
  const [overview, setOverview] = useState<McpOverview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    const controller = new AbortController();
    fetchMcpOverview(conversationId, controller.signal).then(
      (loaded) => {
        setOverview(loaded);
        setError(null);
      },
      (cause) => {
        if (!controller.signal.aborted) setError(cause instanceof Error ? cause.message : String(cause));
      },
    );
    return () => controller.abort();
  }, [conversationId, changes]);

  return (
    <aside id="mcp-panel" class="workspace-panel mcp-panel" aria-labelledby="mcp-title">
      <div class="panel-header">
        <h2 id="mcp-title" ref={heading} tabIndex={-1}>
          MCP servers
        </h2>
        <button type="button" class="button-icon" onClick={onClose} aria-label="Close MCP servers">
          <Icon name="close" />
        </button>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!overview && !error && <p class="muted panel-note">Loading…</p>}
      {overview?.error && (
        <p class="form-error" role="alert">
          {overview.error}
        </p>
      )}
      {overview && !overview.error && overview.servers.length === 0 && (
        <p class="muted panel-note">No MCP servers are configured. Add them under [[mcp.servers]] in ~/.config/gptme/config.toml.</p>
      )}
      {overview && !overview.enabled && !overview.error && overview.servers.length > 0 && (
        <p class="muted panel-note">MCP is disabled: set enabled = true under [mcp] to use these servers.</p>
      )}
      {overview && overview.servers.length > 0 && (
        <ul class="mcp-servers" aria-label="MCP servers">
          {overview.servers.map((server) => (
            <li key={server.name} class={`mcp-server mcp-${server.state}`} aria-label={server.name}>
              <div class="mcp-server-head">
                <strong>{server.name}</strong>
                <span class="mcp-state">{describeState(server)}</span>
              </div>
              <div class="muted mcp-detail">
                {server.transport === "http" ? "URL" : "Command"}: <code>{server.target}</code>
              </div>
              <div class="muted mcp-detail" title={server.source.files.join(" + ")}>
                Declared in {layerText[server.source.layer]}
                {server.needsApproval && (server.approved ? " (approved for this conversation)" : " (starts only after you approve it)")}
              </div>
              {server.tools.length > 0 && <div class="mcp-detail">Tools: {server.tools.join(", ")}</div>}
              {server.error && <pre class="mcp-error">{server.error}</pre>}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
