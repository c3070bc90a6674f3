/** ANSI styles that turn into nothing when colour is off (`NO_COLOR`, or output is not a terminal). */

export type StyleName = "bold" | "dim" | "italic" | "red" | "green" | "yellow" | "blue" | "magenta" | "cyan" | "gray";

const codes: Record<StyleName, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  italic: [3, 23],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
};

export interface Styles {
  enabled: boolean;
  /** Wraps text in a style (and nothing when colour is off). */
  apply(style: StyleName, text: string): string;
  /** The opening code alone, for styles that span streamed chunks. */
  open(style: StyleName): string;
  close(style: StyleName): string;
}

export function createStyles(enabled: boolean): Styles {
  const open = (style: StyleName) => (enabled ? `\u001b[${codes[style][0]}m` : "");
  const close = (style: StyleName) => (enabled ? `\u001b[${codes[style][1]}m` : "");
  return {
    enabled,
    open,
    close,
    apply: (style, text) => (enabled && text ? `${open(style)}${text}${close(style)}` : text),
  };
}

/** gptme's rule: colour on a terminal unless `NO_COLOR` is set (to anything non-empty). */
export function colorWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}
