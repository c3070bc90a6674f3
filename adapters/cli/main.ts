/**
 * `gptme [PROMPTS...]`: the terminal chat. Only argument parsing is loaded up front; the store,
 * the provider SDKs and the tools are imported after it, so `--version` and `--help` start fast.
 */
import { parseCommandLine, UsageError } from "./arguments.js";
import { EXIT_ERROR, EXIT_SUCCESS, exitAfterFlush, reportError } from "./exit.js";
import { usage } from "./usage.js";

async function main(argv: string[]): Promise<number> {
  const commandLine = parseCommandLine(argv);
  if (commandLine.kind === "help") {
    process.stdout.write(usage);
    return EXIT_SUCCESS;
  }
  if (commandLine.kind === "version") {
    const { version } = await import("../../runtime/version.js");
    process.stdout.write(`gptme v${version}\n`);
    return EXIT_SUCCESS;
  }
  const { runChat } = await import("./chat/run-chat.js");
  return runChat(commandLine.options);
}

const argv = process.argv.slice(2);
main(argv).then(exitAfterFlush, (error: unknown) => {
  const shown = error instanceof UsageError ? new UsageError(`${error.message} (see gptme --help)`) : error;
  reportError("gptme", shown, argv.includes("-v") || argv.includes("--verbose"));
  exitAfterFlush(EXIT_ERROR);
});
