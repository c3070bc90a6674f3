/** Lets the user edit text in `$VISUAL`/`$EDITOR` (gptme's `e` at a confirmation, `/edit`). */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CliError } from "../exit.js";

export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || "vi";
}

/** Opens the text in the editor and returns what was saved. Throws `CliError` if the editor fails. */
export function editText(text: string, options: { fileName?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const directory = mkdtempSync(join(tmpdir(), "gptme-edit-"));
  const file = join(directory, options.fileName ?? "edit.txt");
  try {
    writeFileSync(file, text);
    const editor = editorCommand(options.env);
    // Through a shell: EDITOR often carries arguments ("code --wait").
    const result = spawnSync(`${editor} ${shellQuote(file)}`, { shell: true, stdio: "inherit", env: options.env ?? process.env });
    if (result.error) throw new CliError(`Could not start the editor "${editor}": ${result.error.message}`);
    if (result.status !== 0) throw new CliError(`The editor "${editor}" exited with status ${result.status ?? result.signal}; nothing was changed`);
    return readFileSync(file, "utf8");
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
