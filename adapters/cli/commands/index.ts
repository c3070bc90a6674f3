/** The slash commands of the interactive chat, how a line is recognised as one, and `/help`. */
import { parseSlashCommand } from "../../../runtime/commands/parse.js";
import type { CommandContext, CommandResult, SlashCommand } from "./command.js";
import { forkCommand, modelCommand, renameCommand, toolsCommand } from "./conversation-commands.js";
import { exportCommand } from "./export-command.js";
import { editCommand, impersonateCommand, logCommand, replayCommand, undoCommand } from "./history-commands.js";
import { contextCommand, tokensCommand } from "./usage-commands.js";

const helpCommand: SlashCommand = {
  name: "help",
  description: "Show this help",
  async run(_argumentText, { terminal }) {
    terminal.write("Commands:\n");
    const usages = commands.map((command) => `/${command.name}${command.arguments ? ` ${command.arguments}` : ""}`);
    const width = Math.max(...usages.map((usage) => usage.length));
    for (const [index, command] of commands.entries()) {
      const aliases = command.aliases ? terminal.styles.apply("dim", ` (also /${command.aliases.join(", /")})`) : "";
      terminal.write(`  ${terminal.styles.apply("bold", usages[index]!.padEnd(width))}  ${command.description}${aliases}\n`);
    }
    terminal.write(
      terminal.styles.apply("dim", "Ctrl-C interrupts the reply or the running tool; Ctrl-C twice at an empty prompt, Ctrl-D or /exit leaves.\n"),
    );
    return undefined;
  },
};

const exitCommand: SlashCommand = {
  name: "exit",
  aliases: ["quit"],
  description: "Leave gptme",
  run: async () => "exit",
};

export const commands: SlashCommand[] = [
  undoCommand,
  logCommand,
  toolsCommand,
  modelCommand,
  editCommand,
  renameCommand,
  forkCommand,
  tokensCommand,
  contextCommand,
  exportCommand,
  replayCommand,
  impersonateCommand,
  helpCommand,
  exitCommand,
];

export { isSlashCommand } from "../../../runtime/commands/parse.js";

export function findCommand(name: string): SlashCommand | undefined {
  return commands.find((command) => command.name === name || command.aliases?.includes(name));
}

export async function runSlashCommand(line: string, context: CommandContext): Promise<CommandResult> {
  const { name, argumentText } = parseSlashCommand(line);
  const command = findCommand(name);
  if (!command) {
    context.terminal.write(`Unknown command: /${name} (type /help to list the commands)\n`);
    return undefined;
  }
  return command.run(argumentText, context);
}
