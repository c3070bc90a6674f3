import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import { deleteConversation } from "../api/conversations.js";
import type { ModelList } from "../api/types.js";
import { fileUrl as conversationFileUrl } from "../api/workspace.js";
import { publishListChange } from "../conversation/list-events.js";
import { visibleMessages } from "../conversation/live-state.js";
import { useConversation, type ConversationOptions } from "../conversation/use-conversation.js";
import { conversationUsage } from "../conversation/usage.js";
import { conversationTitle, openingWords } from "../conversation/title.js";
import { navigate } from "../router.js";
import { AutoConfirmStatus } from "./AutoConfirmStatus.js";
import { Composer } from "./Composer.js";
import { ConversationHeader } from "./ConversationHeader.js";
import { ElicitationForm } from "./ElicitationForm.js";
import { ErrorNotice } from "./ErrorNotice.js";
import { Link } from "./Link.js";
import { LiveStatus } from "./LiveStatus.js";
import { McpServersPanel } from "./McpServersPanel.js";
import { MessageLog } from "./MessageLog.js";
import { ModelPicker } from "./ModelPicker.js";
import { WorkspacePanel } from "./WorkspacePanel.js";

interface ConversationViewProps {
  id: string;
  /** Hands over the session and first step of a conversation created a moment ago. */
  initialOptions(id: string): ConversationOptions;
  models: ModelList;
  onOpenDrawer?: () => void;
}

export function ConversationView({ id, initialOptions, models, onOpenDrawer }: ConversationViewProps) {
  const [options] = useState(() => initialOptions(id));
  const { state, gone, send, decideTool, stopAutoConfirming, interrupt, rename, dismissError, answerElicitation } = useConversation(id, options);
  const [pickedModel, setPickedModel] = useState(options.stepOnConnect ?? "");
  const [showHidden, setShowHidden] = useState(false);
  const [workspaceOpen, setWorkspaceOpen] = useState(false);
  const [mcpOpen, setMcpOpen] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const model = pickedModel || state.model || models.default || "";
  const busy = state.generating || state.stepPending || state.tools.some((tool) => tool.status !== "pending");
  const fileUrl = useCallback((path: string) => conversationFileUrl(id, path), [id]);
  const messages = useMemo(() => visibleMessages(state.messages, showHidden), [state.messages, showHidden]);
  const usage = useMemo(() => conversationUsage(state.messages), [state.messages]);
  const name = useMemo(() => {
    const firstUser = state.messages.find((message) => message.role === "user" && !message.hide && message.content.trim());
    return conversationTitle({ id, name: state.name, first_user_message_preview: firstUser ? openingWords(firstUser.content) : "" });
  }, [id, state.name, state.messages]);

  useEffect(() => {
    if (state.name) publishListChange({ type: "renamed", id, name: state.name });
  }, [id, state.name]);

  useEffect(() => {
    if (state.messages.length > 0) publishListChange({ type: "counted", id, messages: state.messages.length });
  }, [id, state.messages.length]);

  useEffect(() => {
    if (!busy) return;
    const stopOnEscape = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) void interrupt();
    };
    window.addEventListener("keydown", stopOnEscape);
    return () => window.removeEventListener("keydown", stopOnEscape);
  }, [busy, interrupt]);

  const onSend = useCallback(
    async (content: string) => {
      const accepted = await send(content, model);
      if (accepted) publishListChange({ type: "touched", id });
      return accepted;
    },
    [send, model, id],
  );

  const onDelete = useCallback(async () => {
    try {
      await deleteConversation(id);
    } catch (error) {
      setActionError(error instanceof Error ? error.message : String(error));
      return;
    }
    publishListChange({ type: "deleted", id });
    navigate("/", { replace: true });
  }, [id]);

  if (gone) {
    return (
      <section class="conversation conversation-gone">
        <p>{gone}</p>
        <Link href="/" class="button button-primary">
          Start a new conversation
        </Link>
      </section>
    );
  }

  const error = actionError ?? state.error;
  return (
    <section class="conversation" aria-label={name}>
      <ConversationHeader
        name={name}
        usage={usage}
        showHidden={showHidden}
        workspaceOpen={workspaceOpen}
        onToggleHidden={() => setShowHidden((shown) => !shown)}
        onToggleWorkspace={() => {
          setMcpOpen(false);
          setWorkspaceOpen((open) => !open);
        }}
        mcpOpen={mcpOpen}
        onToggleMcp={() => {
          setWorkspaceOpen(false);
          setMcpOpen((open) => !open);
        }}
        onRename={rename}
        onDelete={onDelete}
        onOpenDrawer={onOpenDrawer}
      />
      <div class="conversation-body">
        <MessageLog messages={messages} streaming={state.streaming} tools={state.tools} fileUrl={fileUrl} onDecide={decideTool} />
        {workspaceOpen && <WorkspacePanel conversationId={id} onClose={() => setWorkspaceOpen(false)} />}
        {mcpOpen && <McpServersPanel conversationId={id} changes={state.mcpChanges} onClose={() => setMcpOpen(false)} />}
      </div>
      {state.elicitations.map((question) => (
        <ElicitationForm key={question.elicit_id} question={question} onAnswer={(reply) => answerElicitation(question.elicit_id, reply)} />
      ))}
      <LiveStatus state={state} />
      <AutoConfirmStatus left={state.autoConfirmLeft} onTurnOff={() => void stopAutoConfirming()} />
      {error && (
        <ErrorNotice
          message={error}
          onDismiss={() => {
            setActionError(null);
            dismissError();
          }}
        />
      )}
      <Composer
        busy={busy}
        onSend={onSend}
        onInterrupt={() => void interrupt()}
        autoFocus
        toolbar={<ModelPicker models={models} value={model} onChange={setPickedModel} />}
      />
    </section>
  );
}
