import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseToolUses } from "../../runtime/agent/parse/index.js";
import { MAX_FILE_CHARACTERS, buildSystemPrompt, type SystemPromptOptions } from "../../runtime/agent/prompt/index.js";
import type { ToolFormat } from "../../runtime/agent/types.js";
import { echoTool } from "./support/test-tools.js";

let root: string;
let workspace: string;
let configDirectory: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "gptme-prompt-"));
  workspace = join(root, "project");
  configDirectory = join(root, "config");
  await mkdir(workspace);
  await mkdir(configDirectory);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function options(overrides: Partial<SystemPromptOptions> = {}): SystemPromptOptions {
  return {
    tools: [echoTool as never],
    toolFormat: "markdown",
    interactive: true,
    model: "anthropic/claude-sonnet-4-5",
    workspace,
    prompt: "full",
    configDirectory,
    now: new Date("2026-03-04T05:06:07Z"),
    system: { platform: "linux", release: "6.8.0" },
    ...overrides,
  };
}

describe("buildSystemPrompt", () => {
  it("writes the core, tools overview, system information and date, hidden and pinned", async () => {
    const messages = await buildSystemPrompt(options());
    expect(messages).toHaveLength(1);
    const [prompt] = messages;
    expect(prompt).toMatchObject({ role: "system", hide: true, pinned: true, timestamp: "2026-03-04T05:06:07.000Z" });
    expect(prompt.content).toMatch(/^You are gptme/);
    expect(prompt.content).toContain("anthropic/claude-sonnet-4-5");
    expect(prompt.content).toContain("# Tools Overview");
    expect(prompt.content).toContain("## echo\n\n**Description:** Repeats the given text.");
    expect(prompt.content).toContain("**Instructions:** Write the text to echo");
    expect(prompt.content).toContain("## System Information\n\n**OS:** linux 6.8.0\n**Working directory:** " + workspace);
    expect(prompt.content).toContain("## Current Date\n\n2026-03-04 (UTC)");
    const order = ["You are gptme", "# Tools Overview", "## System Information", "## Current Date"].map((marker) =>
      prompt.content.indexOf(marker),
    );
    expect(order).toEqual([...order].sort((left, right) => left - right));
  });

  it("says whether tool uses are confirmed (interactive) or run on their own", async () => {
    const [interactive] = await buildSystemPrompt(options({ interactive: true }));
    const [unattended] = await buildSystemPrompt(options({ interactive: false }));
    expect(interactive.content).toMatch(/confirms each tool use/);
    expect(unattended.content).toMatch(/No user is present/);
  });

  it("gives editing advice only for the tools that are offered", async () => {
    const save = { ...echoTool, name: "save", blockTypes: ["save"] };
    const patch = { ...echoTool, name: "patch", blockTypes: ["patch"] };
    const [without] = await buildSystemPrompt(options());
    const [withEditing] = await buildSystemPrompt(options({ tools: [save, patch] as never }));
    expect(without.content).not.toMatch(/use `patch` for targeted changes/);
    expect(withEditing.content).toMatch(/use `patch` for targeted changes/);
  });

  it.each<[ToolFormat, string]>([
    ["markdown", "> Assistant: Echoing it.\n```echo\nhi\n```"],
    ["xml", "> Assistant: Echoing it.\n<tool-use>\n<echo>\nhi\n</echo>\n</tool-use>"],
    ["tool", '> Assistant: Echoing it.\n@echo: {"text":"hi"}'],
  ])("renders examples in the %s format", async (toolFormat, expected) => {
    const [prompt] = await buildSystemPrompt(options({ toolFormat }));
    expect(prompt.content).toContain("### Examples\n\n> User: say hi\n\n" + expected + "\n\n> System: Echo: hi");
  });

  it("examples in markdown and xml parse back as the tool use they show", async () => {
    for (const toolFormat of ["markdown", "xml"] as const) {
      const [prompt] = await buildSystemPrompt(options({ toolFormat }));
      const parsed = parseToolUses(prompt.content, { format: toolFormat, toolForBlockType: (type) => (type === "echo" ? "echo" : undefined) });
      expect(parsed).toEqual([{ tool: "echo", args: [], content: "hi" }]);
    }
  });

  it("xml format wraps the sections in tags", async () => {
    const [prompt] = await buildSystemPrompt(options({ toolFormat: "xml" }));
    expect(prompt.content).toMatch(/^<role>\nYou are gptme/);
    expect(prompt.content).toContain("<tools>\n# Tools Overview");
  });

  it("short prompt: compact core and no examples", async () => {
    const [full] = await buildSystemPrompt(options());
    const [short] = await buildSystemPrompt(options({ prompt: "short" }));
    expect(short.content).toContain("# Tools Overview");
    expect(short.content).not.toContain("### Examples");
    expect(short.content.length).toBeLessThan(full.content.length);
  });

  it("a custom prompt replaces the core and keeps the tools overview", async () => {
    const [prompt] = await buildSystemPrompt(options({ prompt: "You are a pirate." }));
    expect(prompt.content).toMatch(/^You are a pirate\.\n\n# Tools Overview/);
    expect(prompt.content).not.toContain("You are gptme");
    expect(prompt.content).not.toContain("## System Information");
  });

  it("adds the project's files and the instruction files as a second message", async () => {
    await writeFile(join(workspace, "README.md"), "# My Project\nDoes things.\n");
    await writeFile(join(workspace, "package.json"), '{ "name": "my-project" }\n');
    await writeFile(join(workspace, "Makefile"), "test:\n\tnpm test\n");
    await writeFile(join(workspace, "AGENTS.md"), "Run make test before committing.\n");
    await mkdir(join(workspace, ".github"));
    await writeFile(join(workspace, ".github", "copilot-instructions.md"), "Use tabs.\n");
    await writeFile(join(configDirectory, "AGENTS.md"), "Answer briefly.\n");
    await writeFile(join(workspace, "notes.txt"), "not context\n");

    const messages = await buildSystemPrompt(options());
    expect(messages).toHaveLength(2);
    const context = messages[1];
    expect(context).toMatchObject({ role: "system", hide: true, pinned: true });
    expect(context.content).toContain(`## ${join(configDirectory, "AGENTS.md")}\n\nAnswer briefly.`);
    expect(context.content).toContain("## AGENTS.md\n\nRun make test before committing.");
    expect(context.content).toContain("## .github/copilot-instructions.md\n\nUse tabs.");
    expect(context.content).toContain("```README.md\n# My Project\nDoes things.\n```");
    expect(context.content).toContain('```package.json\n{ "name": "my-project" }\n```');
    expect(context.content).toContain("```Makefile\ntest:\n\tnpm test\n```");
    expect(context.content).not.toContain("not context");
    expect(context.content.indexOf("Answer briefly")).toBeLessThan(context.content.indexOf("Run make test"));
  });

  it("context files are not read as tool uses, even with fences inside", async () => {
    await writeFile(join(workspace, "README.md"), "Install:\n```shell\nnpm install\n```\n");
    const [, context] = await buildSystemPrompt(options());
    expect(context.content).toContain("````README.md\nInstall:\n```shell");
    expect(parseToolUses(context.content, { format: "markdown", toolForBlockType: (type) => (type === "shell" ? "shell" : undefined) })).toEqual([]);
  });

  it("caps large files", async () => {
    await writeFile(join(workspace, "README.md"), "x".repeat(MAX_FILE_CHARACTERS + 500));
    const [, context] = await buildSystemPrompt(options());
    expect(context.content).toContain("... (500 more characters not shown)");
    expect(context.content.length).toBeLessThan(MAX_FILE_CHARACTERS + 200);
  });

  it("has no context message for an empty workspace", async () => {
    expect(await buildSystemPrompt(options())).toHaveLength(1);
  });
});
