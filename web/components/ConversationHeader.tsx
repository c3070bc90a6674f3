import { useState } from "preact/hooks";
import type { UsageTotals } from "../conversation/usage.js";
import { DeleteButton } from "./DeleteButton.js";
import { Icon } from "./Icon.js";
import { RenameForm } from "./RenameForm.js";
import { UsageSummary } from "./UsageSummary.js";

interface ConversationHeaderProps {
  name: string;
  usage: UsageTotals;
  showHidden: boolean;
  workspaceOpen: boolean;
  onToggleHidden(): void;
  onToggleWorkspace(): void;
  mcpOpen?: boolean;
  onToggleMcp?(): void;
  onRename(name: string): Promise<void>;
  onDelete(): Promise<void>;
  onOpenDrawer?: () => void;
}

export function ConversationHeader(props: ConversationHeaderProps) {
  const [renaming, setRenaming] = useState(false);
  return (
    <header class="conversation-header">
      {props.onOpenDrawer && (
        <button type="button" class="button-icon" onClick={props.onOpenDrawer} aria-label="Open conversation list" aria-controls="conversation-drawer">
          <Icon name="menu" />
        </button>
      )}
      <div class="conversation-heading">
        {renaming ? (
          <RenameForm
            name={props.name}
            onCancel={() => setRenaming(false)}
            onSave={async (name) => {
              await props.onRename(name);
              setRenaming(false);
            }}
          />
        ) : (
          <h1 class="conversation-title" title={props.name}>
            {props.name}
          </h1>
        )}
        {props.usage.replies > 0 && <UsageSummary usage={props.usage} label="Conversation total" />}
      </div>
      <div class="header-actions">
        {!renaming && (
          <button type="button" class="button-icon" onClick={() => setRenaming(true)} aria-label="Rename conversation" title="Rename">
            <Icon name="pencil" />
          </button>
        )}
        <button
          type="button"
          class="button-icon"
          onClick={props.onToggleHidden}
          aria-pressed={props.showHidden}
          aria-label="Show hidden messages"
          title="Show hidden messages"
        >
          <Icon name="eye" />
        </button>
        <button
          type="button"
          class="button-icon"
          onClick={props.onToggleWorkspace}
          aria-pressed={props.workspaceOpen}
          aria-controls="workspace-panel"
          aria-label="Workspace files"
          title="Workspace files"
        >
          <Icon name="folder" />
        </button>
        {props.onToggleMcp && (
          <button
            type="button"
            class="button-icon"
            onClick={props.onToggleMcp}
            aria-pressed={props.mcpOpen}
            aria-controls="mcp-panel"
            aria-label="MCP servers"
            title="MCP servers"
          >
            <Icon name="plug" />
          </button>
        )}
        <DeleteButton onDelete={props.onDelete} />
      </div>
    </header>
  );
}
