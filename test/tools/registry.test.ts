import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { selectToolNames, type ToolCatalogEntry } from "../../runtime/tools/allowlist.js";
import { createToolRegistry, defaultToolNames } from "../../runtime/tools/registry.js";
import { makeContext } from "./tool-context.js";

const catalog: ToolCatalogEntry[] = [
  { name: "shell", available: true, disabledByDefault: false },
  { name: "tmux", available: false, disabledByDefault: false },
  { name: "save", available: true, disabledByDefault: false },
  { name: "patch", available: true, disabledByDefault: false },
  { name: "read", available: true, disabledByDefault: true },
];

describe("tool allowlist (gptme -t)", () => {
  it("defaults to the available tools that are not opt-in", () => {
    expect(selectToolNames(undefined, catalog)).toEqual(["shell", "save", "patch"]);
    expect(selectToolNames([], catalog)).toEqual(["shell", "save", "patch"]);
  });

  it("takes exact names, comma lists and globs, opt-in tools included", () => {
    expect(selectToolNames(["save,read"], catalog)).toEqual(["save", "read"]);
    expect(selectToolNames(["s*"], catalog)).toEqual(["shell", "save"]);
  });

  it("adds with +tool and removes with -tool", () => {
    expect(selectToolNames(["+read"], catalog)).toEqual(["shell", "save", "patch", "read"]);
    expect(selectToolNames(["-shell", "-patch"], catalog)).toEqual(["save"]);
    expect(() => selectToolNames(["+read", "-shell"], catalog)).toThrow(/Cannot mix/);
    expect(() => selectToolNames(["save", "-shell"], catalog)).toThrow(/Cannot mix bare tool names/);
  });

  it("disables everything with none, which stands alone", () => {
    expect(selectToolNames(["none"], catalog)).toEqual([]);
    expect(() => selectToolNames(["none,shell"], catalog)).toThrow("Cannot combine 'none' with other tools: shell");
  });

  it("skips unknown and unavailable tools, unless strict", () => {
    expect(selectToolNames(["shell", "ipython", "tmux"], catalog)).toEqual(["shell"]);
    expect(() => selectToolNames(["ipython"], catalog, true)).toThrow("Tool 'ipython' not found. Available tools: patch, read, save, shell, tmux");
    expect(() => selectToolNames(["tmux"], catalog, true)).toThrow("Tool 'tmux' is unavailable on this machine.");
  });
});

describe("tool registry", () => {
  it("offers the defaults and finds tools by name and block type", () => {
    const registry = createToolRegistry();
    expect(registry.all().map((tool) => tool.name)).toEqual(defaultToolNames());
    expect(defaultToolNames()).toEqual(expect.arrayContaining(["shell", "save", "append", "patch"]));
    expect(defaultToolNames()).not.toContain("read");
    expect(registry.byBlockType("save")?.name).toBe("save");
    expect(registry.get("read")).toBeUndefined();
    expect(createToolRegistry({ tools: ["none"] }).all()).toEqual([]);
  });

  it("gives every tool a description, instructions, examples, block types and a block round trip", () => {
    for (const tool of createToolRegistry({ tools: ["*"] }).all()) {
      expect(tool.description).not.toBe("");
      expect(tool.instructions).not.toBe("");
      expect(tool.examples.some((turn) => turn.role === "assistant" && turn.toolUse)).toBe(true);
      expect(tool.blockTypes).toContain(tool.name);
      for (const turn of tool.examples) {
        if (turn.role !== "assistant" || !turn.toolUse) continue;
        const parameters = tool.fromBlock(turn.toolUse.args, turn.toolUse.content);
        expect(tool.parameters.safeParse(parameters).success).toBe(true);
        expect(tool.toBlock(parameters)).toEqual({ args: turn.toolUse.args, content: turn.toolUse.content });
      }
    }
  });

  it("turns bad parameters and unknown tools into text the model can act on", async () => {
    const context = await makeContext();
    const registry = createToolRegistry();
    expect(await registry.execute({ tool: "save", args: [], content: "", parameters: { path: "x" } }, context)).toBe(
      "Error: Invalid parameters for tool `save`: content: Invalid input: expected string, received undefined",
    );
    expect(await registry.execute({ tool: "save", args: [], content: "text" }, context)).toBe(
      "Error: Invalid parameters for tool `save`: path: No path provided",
    );
    expect(await registry.execute({ tool: "ipython", args: [], content: "1+1" }, context)).toMatch(/^Error: Unknown tool: `ipython`\. Available tools: shell/);
  });

  it("runs native calls from their parameters", async () => {
    const context = await makeContext();
    const registry = createToolRegistry();
    const output = await registry.execute({ tool: "shell", args: [], content: "", callId: "call_1", parameters: { command: "echo native" } }, context);
    expect(output).toBe("Ran command: `echo native`\n\n```stdout\nnative\n```\n\n");
  });

  it("caps any tool's output to head and tail, saving the whole in the sandbox", async () => {
    const context = await makeContext();
    const registry = createToolRegistry({ tools: ["read"], outputBudget: { headCharacters: 100, tailCharacters: 100 } });
    const big = Array.from({ length: 500 }, (_, index) => `row ${index}`).join("\n");
    await writeFile(`${context.workspace}/big.txt`, big);
    const output = await registry.execute({ tool: "read", args: ["big.txt"], content: "" }, context);
    const saved = /full output saved to (\S+\.txt)/.exec(output)?.[1];
    expect(path.dirname(saved!)).toBe(context.sandbox.outputs.directory);
    expect(path.basename(saved!)).toMatch(/^read-\d{8}_\d{6}-[0-9a-f]{8}\.txt$/);
    expect(output.length).toBeLessThan(400);
    expect((await context.sandbox.files.read(saved!, 100_000)).toString("utf8")).toContain("500\trow 499");
  });
});
