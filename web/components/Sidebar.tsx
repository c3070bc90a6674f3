import { useEffect, useRef } from "preact/hooks";
import type { SandboxReport } from "../api/types.js";
import { sandboxDetails } from "../conversation/sandbox.js";
import { ConversationList } from "./ConversationList.js";
import { Icon } from "./Icon.js";
import { Link } from "./Link.js";

interface SidebarProps {
  activeId: string | null;
  /** Off-screen drawer on a phone: removed from tab order and the accessibility tree. */
  hidden: boolean;
  focusOnShow: boolean;
  onClose?: () => void;
  onSignOut?: () => void;
  sandbox: SandboxReport | null;
}

export function Sidebar({ activeId, hidden, focusOnShow, onClose, onSignOut, sandbox }: SidebarProps) {
  const newLink = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focusOnShow) newLink.current?.querySelector("a")?.focus();
  }, [focusOnShow]);

  return (
    <aside class="sidebar" id="conversation-drawer" aria-label="Conversations" inert={hidden ? true : undefined}>
      <div class="sidebar-header">
        <span class="brand" aria-hidden="true">
          gptme
        </span>
        <div ref={newLink} class="sidebar-actions">
          <Link href="/" class="button button-primary button-small" aria-label="New conversation">
            <Icon name="plus" size={16} /> New
          </Link>
          {onClose && (
            <button type="button" class="button-icon" onClick={onClose} aria-label="Close conversation list">
              <Icon name="close" />
            </button>
          )}
        </div>
      </div>
      <ConversationList activeId={activeId} />
      {(onSignOut || sandbox) && (
        <div class="sidebar-footer">
          {onSignOut && (
            <button type="button" class="button-quiet button-small" onClick={onSignOut}>
              <Icon name="logout" size={16} /> Sign out
            </button>
          )}
          {sandbox && (
            <span class={`sandbox-badge${sandbox.isolated ? "" : " sandbox-open"}`} title={sandboxDetails(sandbox)}>
              <span class="visually-hidden">{sandboxDetails(sandbox)}</span>
              <span aria-hidden="true">sandbox: {sandbox.backend}</span>
            </span>
          )}
        </div>
      )}
    </aside>
  );
}
