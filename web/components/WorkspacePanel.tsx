import { useEffect, useRef, useState } from "preact/hooks";
import type { WorkspaceEntry } from "../api/types.js";
import { listWorkspace } from "../api/workspace.js";
import { formatBytes } from "../format.js";
import { FilePreview } from "./FilePreview.js";
import { Icon } from "./Icon.js";

interface WorkspacePanelProps {
  conversationId: string;
  onClose(): void;
}

function parentOf(path: string): string {
  return path.split("/").slice(0, -1).join("/");
}

export function WorkspacePanel({ conversationId, onClose }: WorkspacePanelProps) {
  const [directory, setDirectory] = useState("");
  const [entries, setEntries] = useState<WorkspaceEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<WorkspaceEntry | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  useEffect(() => {
    const controller = new AbortController();
    setEntries(null);
    setError(null);
    listWorkspace(conversationId, directory, controller.signal).then(setEntries, (cause) => {
      if (!controller.signal.aborted) setError(cause instanceof Error ? cause.message : String(cause));
    });
    return () => controller.abort();
  }, [conversationId, directory]);

  const open = (entry: WorkspaceEntry) => {
    if (entry.type === "directory") {
      setSelected(null);
      setDirectory(entry.path);
    } else {
      setSelected(entry);
    }
  };

  return (
    <aside id="workspace-panel" class="workspace-panel" aria-labelledby="workspace-title">
      <div class="panel-header">
        <h2 id="workspace-title" ref={heading} tabIndex={-1}>
          Workspace
        </h2>
        <button type="button" class="button-icon" onClick={onClose} aria-label="Close workspace">
          <Icon name="close" />
        </button>
      </div>
      <nav class="breadcrumbs" aria-label="Folder">
        <button type="button" class="button-quiet button-small" onClick={() => setDirectory("")} aria-current={directory === "" ? "location" : undefined}>
          workspace
        </button>
        {directory &&
          directory.split("/").map((part, index, parts) => {
            const path = parts.slice(0, index + 1).join("/");
            return (
              <span key={path}>
                <span aria-hidden="true">/</span>
                <button type="button" class="button-quiet button-small" onClick={() => setDirectory(path)} aria-current={path === directory ? "location" : undefined}>
                  {part}
                </button>
              </span>
            );
          })}
      </nav>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!entries && !error && <p class="muted panel-note">Loading…</p>}
      {entries && (
        <ul class="file-list" aria-label="Files">
          {directory && (
            <li>
              <button type="button" class="file-entry" onClick={() => setDirectory(parentOf(directory))}>
                <Icon name="up" size={16} /> <span class="file-name">..</span>
              </button>
            </li>
          )}
          {entries.length === 0 && <li class="muted panel-note">This folder is empty.</li>}
          {entries.map((entry) => (
            <li key={entry.path}>
              <button type="button" class={`file-entry${selected?.path === entry.path ? " selected" : ""}`} onClick={() => open(entry)} aria-pressed={entry.type === "file" ? selected?.path === entry.path : undefined}>
                <Icon name={entry.type === "directory" ? "folder" : "file"} size={16} />
                <span class="file-name">{entry.name}</span>
                {entry.type === "file" && <span class="file-size">{formatBytes(entry.size)}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected && <FilePreview key={selected.path} conversationId={conversationId} entry={selected} />}
    </aside>
  );
}
