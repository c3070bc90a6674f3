/** Exit codes and the one line an error becomes (its stack only with `--verbose`). */

export const EXIT_SUCCESS = 0;
export const EXIT_ERROR = 1;
/** 128 + SIGINT, as a shell reports a Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** Raised deliberately to end the program with a message the user can act on. */
export class CliError extends Error {
  override name = "CliError";
}

export function reportError(program: string, error: unknown, verbose: boolean): void {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0] || "unknown error";
  process.stderr.write(`${program}: ${firstLine}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

/** Exits once what was written to stdout and stderr has been handed to the OS. */
export function exitAfterFlush(code: number): void {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}
