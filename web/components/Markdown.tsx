import { useMemo } from "preact/hooks";
import { renderMarkdown, type RenderOptions } from "../markdown/render.js";

interface MarkdownProps extends RenderOptions {
  source: string;
}

export function Markdown({ source, fileUrl }: MarkdownProps) {
  const content = useMemo(() => renderMarkdown(source, { fileUrl }), [source, fileUrl]);
  return <div class="markdown">{content}</div>;
}
