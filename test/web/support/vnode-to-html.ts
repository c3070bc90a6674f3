/**
 * Serializes a Preact element tree to HTML the way the DOM would show it, without a DOM: text is
 * escaped, function components are called (hooks are not available, so a component that needs them
 * is rendered as `<ComponentName>`). Enough to assert what markdown rendering produces.
 */
import type { ComponentChildren, VNode } from "preact";

const escapeText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeAttribute = (text: string) => escapeText(text).replace(/"/g, "&quot;");
const voidElements = new Set(["br", "hr", "img", "input"]);

export function toHtml(children: ComponentChildren): string {
  if (children === null || children === undefined || typeof children === "boolean") return "";
  if (typeof children === "string" || typeof children === "number" || typeof children === "bigint") return escapeText(String(children));
  if (Array.isArray(children)) return children.map(toHtml).join("");
  const node = children as VNode<Record<string, unknown>>;
  if (typeof node.type === "function") {
    try {
      return toHtml((node.type as (props: unknown) => ComponentChildren)(node.props));
    } catch {
      return `<${node.type.name}>`;
    }
  }
  if (typeof node.type !== "string") return toHtml(node.props.children as ComponentChildren);
  const attributes = Object.entries(node.props)
    .filter(([name, value]) => name !== "children" && value !== undefined && value !== false && value !== null)
    .map(([name, value]) => (value === true ? ` ${name}` : ` ${name}="${escapeAttribute(typeof value === "object" ? JSON.stringify(value) : String(value))}"`))
    .join("");
  if (voidElements.has(node.type)) return `<${node.type}${attributes}>`;
  return `<${node.type}${attributes}>${toHtml(node.props.children as ComponentChildren)}</${node.type}>`;
}

/** Every element type in the tree, for "no script element anywhere" style checks. */
export function elementTypes(children: ComponentChildren, found = new Set<string>()): Set<string> {
  if (Array.isArray(children)) {
    for (const child of children) elementTypes(child, found);
  } else if (children && typeof children === "object" && "type" in children) {
    const node = children as VNode<Record<string, unknown>>;
    if (typeof node.type === "string") found.add(node.type);
    elementTypes(node.props.children as ComponentChildren, found);
  }
  return found;
}

/** Every attribute name used in the tree (event handler attributes must never come from model output). */
export function attributeNames(children: ComponentChildren, found = new Set<string>()): Set<string> {
  if (Array.isArray(children)) {
    for (const child of children) attributeNames(child, found);
  } else if (children && typeof children === "object" && "type" in children) {
    const node = children as VNode<Record<string, unknown>>;
    for (const name of Object.keys(node.props)) if (name !== "children") found.add(name);
    attributeNames(node.props.children as ComponentChildren, found);
  }
  return found;
}
