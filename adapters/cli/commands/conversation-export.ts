/** A conversation as a readable document: markdown, or a self-contained HTML page. */
import { Marked, type Tokens } from "marked";
import type { Message } from "../../../runtime/store/types.js";

export interface ExportedConversation {
  id: string;
  name: string;
  messages: Message[];
}

const titles = { user: "User", assistant: "Assistant", system: "System" } as const;

export function conversationMarkdown(conversation: ExportedConversation): string {
  const sections = conversation.messages.map((message) => `## ${titles[message.role]}\n\n${message.content.trim()}\n`);
  return `# ${conversation.name}\n\n_Conversation ${conversation.id}, exported from gptme._\n\n${sections.join("\n")}`;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const safeHref = (href: string) => (/^(https?:|mailto:|#|\.{0,2}\/|[\w-]+(\.[\w-]+)*$)/i.test(href) ? href : "#");

/** Raw HTML in messages is shown as text and links keep only harmless schemes: the page is safe to open. */
function createRenderer(): Marked {
  return new Marked({
    gfm: true,
    renderer: {
      html: (token: Tokens.HTML | Tokens.Tag) => escapeHtml(token.text),
      link(token: Tokens.Link) {
        return `<a href="${escapeHtml(safeHref(token.href))}">${this.parser.parseInline(token.tokens)}</a>`;
      },
      image: (token: Tokens.Image) => `<a href="${escapeHtml(safeHref(token.href))}">${escapeHtml(token.text || token.href)}</a>`,
    },
  });
}

const style = `body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
.message{border-left:4px solid #d0d7de;padding:.25rem 1rem;margin:1rem 0}
.user{border-color:#2da44e}.assistant{border-color:#0969da}.system{border-color:#8c959f;color:#57606a}
.role{font-weight:600;font-size:.85rem;text-transform:uppercase;letter-spacing:.05em}
pre{background:#f6f8fa;padding:.75rem;overflow:auto;border-radius:6px}code{font-family:ui-monospace,monospace}`;

export function conversationHtml(conversation: ExportedConversation): string {
  const marked = createRenderer();
  const messages = conversation.messages
    .map((message) => {
      const body = marked.parse(message.content, { async: false });
      return `<section class="message ${message.role}"><div class="role">${titles[message.role]}</div>${body}</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(conversation.name)}</title><style>${style}</style></head>
<body>
<h1>${escapeHtml(conversation.name)}</h1>
<p><small>Conversation ${escapeHtml(conversation.id)}, exported from gptme.</small></p>
${messages}
</body>
</html>
`;
}
