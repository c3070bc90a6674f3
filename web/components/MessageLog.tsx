import { useLayoutEffect, useRef } from "preact/hooks";
import type { ToolDecision } from "../api/session.js";
import type { Message } from "../api/types.js";
import { messageKey, type ToolCard as ToolCardState } from "../conversation/live-state.js";
import { MessageItem } from "./MessageItem.js";
import { StreamingMessage } from "./StreamingMessage.js";
import { ToolCard } from "./ToolCard.js";

interface MessageLogProps {
  messages: Message[];
  streaming: string | null;
  tools: ToolCardState[];
  fileUrl(path: string): string;
  onDecide(toolId: string, decision: ToolDecision): void;
}

const stickyDistance = 80;

export function MessageLog({ messages, streaming, tools, fileUrl, onDecide }: MessageLogProps) {
  const container = useRef<HTMLDivElement>(null);
  const lastReply = [...messages].reverse().find((message) => message.role === "assistant")?.content ?? "";
  const followBottom = useRef(true);

  useLayoutEffect(() => {
    const element = container.current;
    if (element && followBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages, streaming, tools]);

  const onScroll = () => {
    const element = container.current;
    if (!element) return;
    followBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < stickyDistance;
  };

  return (
    <div ref={container} class="message-log" role="log" aria-label="Messages" onScroll={onScroll} tabIndex={0}>
      <div class="message-column">
        {messages.map((message, index) => (
          <MessageItem key={`${index}:${messageKey(message)}`} message={message} fileUrl={fileUrl} />
        ))}
        {streaming !== null && <StreamingMessage text={streaming} fileUrl={fileUrl} />}
        {tools.map((tool) => (
          <ToolCard key={tool.toolId} tool={tool} shownAbove={lastReply} onDecide={(decision) => onDecide(tool.toolId, decision)} />
        ))}
      </div>
    </div>
  );
}
