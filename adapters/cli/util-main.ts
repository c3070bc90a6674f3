/**
 * `gptme-util`: import gptme's logs into the store and export them back, list chats, models and
 * tools. Subcommands load what they need after parsing, like `gptme`.
 */
import { UsageError } from "./arguments.js";
import { EXIT_ERROR, EXIT_SUCCESS, exitAfterFlush, reportError } from "./exit.js";
import { plural } from "./plural.js";

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
  mcp list                       The MCP servers of ~/.config/gptme/config.toml and
                                 ./gptme.toml, where each is declared and its state
                                 (none is started).
  mcp test NAME                  Start one MCP server, list its tools, stop it;
                                 exit 1 with its error when it cannot start.

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

function limitOf(flags: Flags): number {
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

type Flags = Map<string, string | true>;

interface UtilCommand {
  /** The operands after the command words, as shown in the usage error. */
  shape: string;
  operands: number;
  run(operands: string[], flags: Flags): Promise<number>;
}

/** The user's config and the current directory's gptme.toml, as a chat started here would read them. */
async function mcpSources() {
  const [{ configDirectory }, { join }] = await Promise.all([import("../../runtime/config/paths.js"), import("node:path")]);
  return { userConfigFile: join(configDirectory(process.env), "config.toml"), workspace: process.cwd() };
}

async function withStore<T>(work: (store: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const store = await openStore();
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

const utilCommands: Record<string, UtilCommand> = {
  import: {
    shape: "import PATH [--replace]",
    operands: 1,
    async run([path], flags) {
      const [{ importConversations }, { dataDirectory }] = await Promise.all([import("./util/import-logs.js"), import("../../runtime/config/paths.js")]);
      const summary = await withStore((store) =>
        importConversations(path!, { store, dataDirectory: dataDirectory(process.env), replace: flags.has("--replace"), report: print }),
      );
      print(`${summary.imported} imported, ${summary.skipped} skipped, ${summary.failed} failed, ${plural(summary.badLines, "bad line")} skipped`);
      return summary.failed > 0 ? EXIT_ERROR : EXIT_SUCCESS;
    },
  },
  export: {
    shape: "export ID [--dir DIR]",
    operands: 1,
    async run([id], flags) {
      const { exportConversation } = await import("./util/export-logs.js");
      const directory = flags.get("--dir");
      const result = await withStore((store) => exportConversation(store, id!, typeof directory === "string" ? directory : process.cwd()));
      print(`Exported ${id} to ${result.directory} (${plural(result.messages, "message")}, ${plural(result.branches, "other branch", "other branches")})`);
      return EXIT_SUCCESS;
    },
  },
  "chats list": {
    shape: "chats list [-n N]",
    operands: 0,
    async run(_operands, flags) {
      const { chatLines } = await import("./util/listings.js");
      (await withStore((store) => chatLines(store, { limit: limitOf(flags) }))).forEach(print);
      return EXIT_SUCCESS;
    },
  },
  "chats search": {
    shape: "chats search QUERY [-n N]",
    operands: 1,
    async run([query], flags) {
      const { chatLines } = await import("./util/listings.js");
      (await withStore((store) => chatLines(store, { limit: limitOf(flags), query }))).forEach(print);
      return EXIT_SUCCESS;
    },
  },
  "models list": {
    shape: "models list",
    operands: 0,
    async run() {
      const [{ modelLines }, { createModelRegistry }] = await Promise.all([import("./util/listings.js"), import("../../runtime/models/registry.js")]);
      modelLines(createModelRegistry({ env: process.env })).forEach(print);
      return EXIT_SUCCESS;
    },
  },
  "mcp list": {
    shape: "mcp list",
    operands: 0,
    async run() {
      const { mcpListLines } = await import("./util/mcp-command.js");
      mcpListLines(await mcpSources()).forEach(print);
      return EXIT_SUCCESS;
    },
  },
  "mcp test": {
    shape: "mcp test NAME",
    operands: 1,
    async run([name]) {
      const { mcpTest } = await import("./util/mcp-command.js");
      return mcpTest(name!, await mcpSources(), print, (line) => void process.stderr.write(`${line}\n`), process.env);
    },
  },
  "tools list": {
    shape: "tools list",
    operands: 0,
    async run() {
      const { toolLines } = await import("./util/listings.js");
      toolLines().forEach(print);
      return EXIT_SUCCESS;
    },
  },
};

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
  const single = utilCommands[words[0]!];
  const name = single ? words[0]! : words.slice(0, 2).join(" ");
  const command = single ?? utilCommands[name];
  if (!command) throw new UsageError(`Unknown command: ${name}`);
  const operands = words.slice(name.split(" ").length);
  if (operands.length !== command.operands) throw new UsageError(`Usage: gptme-util ${command.shape}`);
  return command.run(operands, flags);
}

const argv = process.argv.slice(2);
main(argv).then(exitAfterFlush, (error: unknown) => {
  const shown = error instanceof UsageError ? new UsageError(`${error.message} (see gptme-util --help)`) : error;
  reportError("gptme-util", shown, argv.includes("-v") || argv.includes("--verbose"));
  exitAfterFlush(EXIT_ERROR);
});
