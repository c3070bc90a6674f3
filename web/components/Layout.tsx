import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { createConversation } from "../api/conversations.js";
import type { ModelList, SandboxReport } from "../api/types.js";
import { newConversationId } from "../conversation/conversation-id.js";
import { publishListChange } from "../conversation/list-events.js";
import { openingWords } from "../conversation/title.js";
import type { ConversationOptions } from "../conversation/use-conversation.js";
import { conversationHref, navigate, useRoute } from "../router.js";
import { useMediaQuery } from "../use-media-query.js";
import { ConversationView } from "./ConversationView.js";
import { NewConversation } from "./NewConversation.js";
import { ProviderBanner } from "./ProviderBanner.js";
import { SandboxBanner } from "./SandboxBanner.js";
import { Sidebar } from "./Sidebar.js";

interface LayoutProps {
  models: ModelList;
  providerConfigured: boolean;
  sandbox: SandboxReport | null;
  onSignOut?: () => void;
}

export function Layout({ models, providerConfigured, sandbox, onSignOut }: LayoutProps) {
  const route = useRoute();
  const narrow = useMediaQuery("(max-width: 767px)");
  const [drawerOpen, setDrawerOpen] = useState(false);
  const handoffs = useRef(new Map<string, ConversationOptions>());
  const activeId = route.name === "conversation" ? route.id : null;

  useEffect(() => setDrawerOpen(false), [activeId]);

  useEffect(() => {
    if (!drawerOpen) return;
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        setDrawerOpen(false);
      }
    };
    window.addEventListener("keydown", closeOnEscape, true);
    return () => window.removeEventListener("keydown", closeOnEscape, true);
  }, [drawerOpen]);

  const startConversation = useCallback(async (content: string, model: string) => {
    const id = newConversationId();
    const created = await createConversation(id, content, model);
    handoffs.current.set(id, { sessionId: created.session_id, stepOnConnect: model });
    publishListChange({
      type: "created",
      conversation: { id, name: id, modified: Date.now() / 1000, messages: 1, first_user_message_preview: openingWords(content) },
    });
    navigate(conversationHref(id));
  }, []);

  const takeHandoff = useCallback((id: string) => {
    const options = handoffs.current.get(id);
    handoffs.current.delete(id);
    return options ?? {};
  }, []);

  const openDrawer = useCallback(() => setDrawerOpen(true), []);
  const drawerHidden = narrow && !drawerOpen;

  return (
    <div class={`layout${drawerOpen ? " drawer-open" : ""}`}>
      <a class="skip-link" href="#main-content">
        Skip to main content
      </a>
      <Sidebar
        activeId={activeId}
        hidden={drawerHidden}
        focusOnShow={narrow && drawerOpen}
        onClose={narrow ? () => setDrawerOpen(false) : undefined}
        onSignOut={onSignOut}
        sandbox={sandbox}
      />
      {narrow && drawerOpen && <div class="backdrop" onClick={() => setDrawerOpen(false)} aria-hidden="true" />}
      <main id="main-content" class="main" tabIndex={-1} inert={narrow && drawerOpen ? true : undefined}>
        {!providerConfigured && <ProviderBanner />}
        <SandboxBanner report={sandbox} />
        {route.name === "conversation" ? (
          <ConversationView
            key={route.id}
            id={route.id}
            initialOptions={takeHandoff}
            models={models}
            onOpenDrawer={narrow ? openDrawer : undefined}
          />
        ) : (
          <NewConversation models={models} onStart={startConversation} onOpenDrawer={narrow ? openDrawer : undefined} />
        )}
      </main>
    </div>
  );
}
