/**
 * `gptme-util`: import gptme's logs into the store and export them back, list chats, models and
 * tools. Subcommands load what they need after parsing, like `gptme`.
 */
import { UsageError } from "./arguments.js";
import { EXIT_ERROR, EXIT_SUCCESS, exitAfterFlush, reportError } from "./exit.js";

const usage = `Usage: gptme-util [-v] COMMAND [ARGS]...

Commands:
  import PATH [--replace]        Import gptme conversations: a logs dir (e.g.
                                 ~/.local/share/gptme/logs) or one conversation dir.
                                 Ids already stored are skipped unless --replace.
  export ID [--dir DIR]          Write a conversation in gptme's layout to
                                 DIR/ID/ (default DIR: the current directory).
  chats list [-n N]              The most recent conversations (default 20).
  chats search QUERY [-n N]      Conversations whose id, name or last message
                                 contains QUERY.
  models list                    Known models, and which providers have keys.
  tools list                     The tools, and which are on by default.

Options:
  -v, --verbose                  Show stack traces of errors.
  --version                      Show the version and exit.
  -h, --help                     Show this message and exit.
`;

interface UtilArguments {
  words: string[];
  flags: Map<string, string | true>;
}

const valueFlags = new Set(["--dir", "-n", "--limit"]);

function parseUtilArguments(argv: string[]): UtilArguments {
  const words: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (!argument.startsWith("-") || argument === "-") {
      words.push(argument);
      continue;
    }
    const [name, inline] = argument.startsWith("--") && argument.includes("=") ? argument.split(/=(.*)/s) as [string, string] : [argument, undefined];
    if (valueFlags.has(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined) throw new UsageError(`Option ${name} requires a value`);
      flags.set(name === "--limit" ? "-n" : name, value);
    } else if (["--replace", "-v", "--verbose", "-h", "--help", "--version"].includes(name)) {
      flags.set(name === "--verbose" ? "-v" : name === "-h" ? "--help" : name, true);
    } else {
      throw new UsageError(`No such option: ${name}`);
    }
  }
  return { words, flags };
}

function limitOf(flags: Map<string, string | true>): number {
  const value = flags.get("-n");
  if (value === undefined) return 20;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError("-n needs a positive whole number");
  return limit;
}

async function openStore() {
  const [{ databasePath }, { SqliteConversationStore }] = await Promise.all([
    import("../../runtime/config/paths.js"),
    import("../../runtime/store/sqlite/sqlite-store.js"),
  ]);
  return SqliteConversationStore.open(databasePath(process.env));
}

const print = (line: string) => void process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { words, flags } = parseUtilArguments(argv);
  if (flags.has("--version")) {
    const { version } = await import("../../runtime/version.js");
    print(`gptme-util v${version}`);
    return EXIT_SUCCESS;
  }
  if (flags.has("--help") || words.length === 0) {
    process.stdout.write(usage);
    return flags.has("--help") ? EXIT_SUCCESS : EXIT_ERROR;
  }
  const [group, action, ...rest] = words;
  const command = `${group} ${action ?? ""}`.trim();
  const needs = (count: number, shape: string) => {
    const given = group === "import" || group === "export" ? words.length - 1 : rest.length;
    if (given !== count) throw new UsageError(`Usage: gptme-util ${shape}`);
  };

  if (group === "import") {
    needs(1, "import PATH [--replace]");
    const [{ importConversations }, { dataDirectory }] = await Promise.all([import("./util/import-logs.js"), import("../../runtime/config/paths.js")]);
    const store = await openStore();
    try {
      const summary = await importConversations(action!, { store, dataDirectory: dataDirectory(process.env), replace: flags.has("--replace"), report: print });
      print(`${summary.imported} imported, ${summary.skipped} skipped, ${summary.failed} failed, ${summary.badLines} bad lines skipped`);
      return summary.failed > 0 ? EXIT_ERROR : EXIT_SUCCESS;
    } finally {
      await store.close();
    }
  }
  if (group === "export") {
    needs(1, "export ID [--dir DIR]");
    const { exportConversation } = await import("./util/export-logs.js");
    const store = await openStore();
    try {
      const directory = flags.get("--dir");
      const result = await exportConversation(store, action!, typeof directory === "string" ? directory : process.cwd());
      print(`Exported ${action} to ${result.directory} (${result.messages} messages, ${result.branches} other branch${result.branches === 1 ? "" : "es"})`);
      return EXIT_SUCCESS;
    } finally {
      await store.close();
    }
  }
  if (command === "chats list" || command === "chats search") {
    if (command === "chats search") needs(1, "chats search QUERY [-n N]");
    else needs(0, "chats list [-n N]");
    const { chatLines } = await import("./util/listings.js");
    const store = await openStore();
    try {
      (await chatLines(store, { limit: limitOf(flags), query: rest[0] })).forEach(print);
      return EXIT_SUCCESS;
    } finally {
      await store.close();
    }
  }
  if (command === "models list") {
    const [{ modelLines }, { createModelRegistry }] = await Promise.all([import("./util/listings.js"), import("../../runtime/models/registry.js")]);
    modelLines(createModelRegistry({ env: process.env })).forEach(print);
    return EXIT_SUCCESS;
  }
  if (command === "tools list") {
    const { toolLines } = await import("./util/listings.js");
    toolLines().forEach(print);
    return EXIT_SUCCESS;
  }
  throw new UsageError(`Unknown command: ${command}`);
}

const argv = process.argv.slice(2);
main(argv).then(exitAfterFlush, (error: unknown) => {
  const shown = error instanceof UsageError ? new UsageError(`${error.message} (see gptme-util --help)`) : error;
  reportError("gptme-util", shown, argv.includes("-v") || argv.includes("--verbose"));
  exitAfterFlush(EXIT_ERROR);
});
