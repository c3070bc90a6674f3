/** Checks tool names the way gptme's `init_tools` does for the server: unknown names are a 400. */
import { BadRequestError } from "../errors.js";
import { createToolRegistry } from "../tools/registry.js";

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Throws `Tool 'x' not found...` for a name (or glob) no tool has, and for malformed lists
 * (`none` with others, `+a` with `-b`). A known tool this machine lacks (tmux) is accepted, as in
 * gptme, which skips it with a warning.
 */
export function validateToolNames(names: string[]): void {
  try {
    createToolRegistry({ tools: names });
  } catch (error) {
    throw new BadRequestError(errorMessage(error));
  }
  const patterns = names
    .flatMap((name) => name.split(","))
    .map((name) => name.trim().replace(/^[+-]/, ""))
    .filter((name) => name !== "" && name.toLowerCase() !== "none");
  for (const pattern of patterns) {
    try {
      createToolRegistry({ tools: [pattern], strict: true });
    } catch (error) {
      if (/not found/.test(errorMessage(error))) throw new BadRequestError(errorMessage(error));
    }
  }
}
