/** Where the chat writes: stdout, with styles and whether it is an interactive terminal. */
import { colorWanted, createStyles, type Styles } from "./styles.js";

export interface Terminal {
  write(text: string): void;
  /** Writes to stderr (errors, warnings). */
  warn(text: string): void;
  /** A terminal a human watches: spinners and line rewrites are welcome. */
  isTTY: boolean;
  styles: Styles;
}

export function processTerminal(env: NodeJS.ProcessEnv = process.env): Terminal {
  const isTTY = process.stdout.isTTY === true;
  return {
    write: (text) => void process.stdout.write(text),
    warn: (text) => void process.stderr.write(text),
    isTTY,
    styles: createStyles(colorWanted(process.stdout, env)),
  };
}
