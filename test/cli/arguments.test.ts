/** gptme's command line: flags, chained prompts, and the lines that are slash commands. */
import { describe, expect, it } from "vitest";
import { parseCommandLine, splitPrompts, UsageError, type ChatOptions } from "../../adapters/cli/arguments.js";
import { isSlashCommand } from "../../adapters/cli/commands/index.js";

function chat(argv: string[]): ChatOptions {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== "chat") throw new Error(`expected a chat, got ${parsed.kind}`);
  return parsed.options;
}

describe("parseCommandLine", () => {
  it("reads gptme's flags, long and short", () => {
    const options = chat(["--name", "fix-bug", "-m", "openai/gpt-4o", "-w", "/src", "-y", "-t", "save,patch", "-t", "shell", "--tool-format", "xml", "--system", "short", "--no-stream", "--show-hidden", "-v", "fix it"]);
    expect(options).toMatchObject({
      name: "fix-bug",
      model: "openai/gpt-4o",
      workspace: "/src",
      noConfirm: true,
      nonInteractive: false,
      tools: ["save,patch", "shell"],
      toolFormat: "xml",
      system: "short",
      stream: false,
      showHidden: true,
      verbose: true,
      prompts: ["fix it"],
    });
  });

  it("-n implies -y; -r resumes; --opt=value and grouped short flags work", () => {
    expect(chat(["-n", "hi"])).toMatchObject({ nonInteractive: true, noConfirm: true });
    expect(chat(["-r"]).resume).toBe(true);
    expect(chat(["--model=anthropic", "--stream"])).toMatchObject({ model: "anthropic", stream: true });
    expect(chat(["-yn", "-manthropic/claude-sonnet-4-6"])).toMatchObject({ noConfirm: true, nonInteractive: true, model: "anthropic/claude-sonnet-4-6" });
  });

  it("--help and --version win over everything else", () => {
    expect(parseCommandLine(["-n", "--help", "x"]).kind).toBe("help");
    expect(parseCommandLine(["--version"]).kind).toBe("version");
  });

  it("rejects unknown options, missing values, bad tool formats and bad names", () => {
    expect(() => parseCommandLine(["--frobnicate"])).toThrow(UsageError);
    expect(() => parseCommandLine(["-m"])).toThrow(/requires a value/);
    expect(() => parseCommandLine(["--tool-format", "json"])).toThrow(/markdown, xml, tool/);
    expect(() => parseCommandLine(["--name", "../escape"])).toThrow(/Invalid conversation name/);
    expect(() => parseCommandLine(["--name", " padded"])).toThrow(/whitespace/);
  });

  it("a lone '-' separates chained prompts; words of one prompt are joined by blank lines; '--' ends options", () => {
    expect(splitPrompts(["write", "tests", "-", "run", "them", "-"])).toEqual(["write\n\ntests", "run\n\nthem"]);
    expect(chat(["--", "-n", "is", "text"]).prompts).toEqual(["-n\n\nis\n\ntext"]);
  });
});

describe("isSlashCommand", () => {
  it("takes /word lines as commands, and paths as messages", () => {
    expect(isSlashCommand("/undo")).toBe(true);
    expect(isSlashCommand("/rename auto")).toBe(true);
    expect(isSlashCommand("/etc/hosts looks wrong")).toBe(false);
    expect(isSlashCommand("what does /undo do?")).toBe(false);
  });
});
