/**
 * gptme's XML tool format: `<tool-use><shell>\nls\n</shell></tool-use>` (arguments in an `args`
 * attribute), and the `<function_calls><invoke name="shell">…</invoke></function_calls>` shape some
 * models write instead. Content is taken verbatim (no entity decoding) so code with `<` and `&`
 * survives; only attribute values are decoded.
 */

export interface XmlToolCall {
  /** The element name (`shell`, `save`) or the invoke's `name`. */
  tag: string;
  /** The `args` attribute, else the other attribute values joined by spaces. */
  argumentText: string;
  content: string;
  /** `<parameter name="…">` children of an invoke, when it has them. */
  parameters?: Record<string, string>;
  /** Offset of the wrapper's opening tag and just past its closing tag. */
  start: number;
  end: number;
}

const wrapperPattern = /<(tool-use|function_calls)>/g;
const elementPattern = /^\s*<([A-Za-z_][\w.-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*>/;
const attributePattern = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const parameterPattern = /<parameter\s+name\s*=\s*(?:"([^"]*)"|'([^']*)')\s*>([\s\S]*?)<\/parameter>/g;

/** The complete XML tool calls in `text`, in order. A wrapper without its closing tag yields nothing. */
export function scanXmlToolCalls(text: string): XmlToolCall[] {
  const calls: XmlToolCall[] = [];
  wrapperPattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = wrapperPattern.exec(text)) !== null) {
    const wrapper = match[1];
    const parsed = parseWrapper(text, match.index + match[0].length, wrapper === "tool-use" ? undefined : "invoke");
    if (!parsed) continue;
    for (const element of parsed.elements) calls.push({ ...element, start: match.index, end: parsed.end });
    wrapperPattern.lastIndex = parsed.end;
  }
  return calls;
}

type Element = Omit<XmlToolCall, "start" | "end">;

/** Reads the elements of a wrapper up to its closing tag; null when the wrapper is not complete. */
function parseWrapper(text: string, position: number, onlyTag: string | undefined): { elements: Element[]; end: number } | null {
  const closing = onlyTag ? "</function_calls>" : "</tool-use>";
  const elements: Element[] = [];
  for (;;) {
    const rest = text.slice(position);
    const trimmed = rest.length - rest.trimStart().length;
    if (rest.startsWith(closing, trimmed)) return { elements, end: position + trimmed + closing.length };
    const open = elementPattern.exec(rest);
    if (!open) return null;
    const tag = open[1];
    if (onlyTag && tag !== onlyTag) return null;
    const contentStart = position + open[0].length;
    const closeIndex = text.indexOf(`</${tag}>`, contentStart);
    if (closeIndex === -1) return null;
    const attributes = parseAttributes(open[2]);
    const body = text.slice(contentStart, closeIndex);
    elements.push(onlyTag ? invokeElement(attributes, body) : plainElement(tag, attributes, body));
    position = closeIndex + tag.length + 3;
  }
}

function plainElement(tag: string, attributes: [string, string][], body: string): Element {
  return { tag, argumentText: argumentText(attributes), content: trimContent(body) };
}

function invokeElement(attributes: [string, string][], body: string): Element {
  const name = attributes.find(([key]) => key === "name")?.[1] ?? "";
  const rest = attributes.filter(([key]) => key !== "name");
  const parameters: Record<string, string> = {};
  let count = 0;
  for (const parameter of body.matchAll(parameterPattern)) {
    parameters[parameter[1] ?? parameter[2]] = trimContent(parameter[3]);
    count++;
  }
  const element: Element = { tag: name, argumentText: argumentText(rest), content: count > 0 ? "" : trimContent(body) };
  if (count > 0) element.parameters = parameters;
  return element;
}

function parseAttributes(source: string): [string, string][] {
  return [...source.matchAll(attributePattern)].map((match) => [match[1], decodeEntities(match[2] ?? match[3])]);
}

function argumentText(attributes: [string, string][]): string {
  const explicit = attributes.find(([key]) => key === "args");
  return (explicit ? explicit[1] : attributes.map(([, value]) => value).join(" ")).trim();
}

/** Drops the newline after the opening tag and the line break before the closing tag, keeping indentation. */
function trimContent(body: string): string {
  return body.replace(/^[ \t]*\r?\n/, "").replace(/\r?\n[ \t]*$/, "");
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Escapes a value for a double-quoted attribute. */
export function encodeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}
