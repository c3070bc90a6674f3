/** `gptme-util`: gptme log directories into the store and back out, and the listings. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import { createCliHome, runCli, type CliHome } from "./support/cli-process.js";

let home: CliHome;

beforeEach(() => {
  home = createCliHome();
});
afterEach(() => home.cleanup());

const util = (args: string[]) => runCli("gptme-util", args, { env: home.env, cwd: home.root });

/** Lines exactly as gptme (Python's json.dumps) writes them. */
const mainLines = [
  '{"role": "system", "content": "You are gptme, a general-purpose AI assistant.", "timestamp": "2025-04-23T10:00:00.000001", "pinned": true, "hide": true}',
  '{"role": "user", "content": "Write caf\\u00e9.py \\ud83d\\ude00", "timestamp": "2025-04-23T10:00:05.123456"}',
  '{"role": "assistant", "content": "```save caf\\u00e9.py\\nprint(\\"hi\\")\\n```", "timestamp": "2025-04-23T10:00:09.5", "metadata": {"model": "anthropic/claude-sonnet-4-5", "input_tokens": 120, "output_tokens": 30, "cache_read_tokens": 80, "cache_creation_tokens": 10, "cost": 3.5e-05}}',
  '{"role": "system", "content": "Saved to caf\\u00e9.py", "timestamp": "2025-04-23T10:00:10", "files": ["/tmp/caf\\u00e9.py"], "call_id": "call_1"}',
];
const branchLines = ['{"role": "user", "content": "an older try", "timestamp": "2025-04-23T10:00:01"}'];
const configToml = `[chat]
name = "Caf\u00e9 script"
model = "anthropic/claude-sonnet-4-5"
tools = ["save", "shell"]
tool_format = "markdown"
stream = true
interactive = true
workspace = "~/projects/cafe"

[env]
FOO = "bar"
`;

function writeGptmeLogs(): string {
  const logs = join(home.root, "gptme-logs");
  const first = join(logs, "2025-04-23-dancing-happy-walrus");
  mkdirSync(join(first, "branches"), { recursive: true });
  writeFileSync(join(first, "conversation.jsonl"), `${mainLines.join("\n")}\n`);
  writeFileSync(join(first, "branches", "main-undo-0.jsonl"), `${branchLines.join("\n")}\n`);
  writeFileSync(join(first, "config.toml"), configToml);
  const second = join(logs, "2025-04-24-flying-calm-otter");
  mkdirSync(second, { recursive: true });
  writeFileSync(
    join(second, "conversation.jsonl"),
    [mainLines[1], "{not json", '{"role": "robot", "content": "x", "timestamp": "2025-04-24T09:00:00"}', mainLines[2], ""].join("\n"),
  );
  return logs;
}

describe("gptme-util import / export", () => {
  it("imports a gptme logs directory and exports it back as the same JSONL and config", async () => {
    const logs = writeGptmeLogs();
    const imported = await util(["import", logs]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("Imported 2025-04-23-dancing-happy-walrus: 4 messages, 1 other branch");

    const store = SqliteConversationStore.open(home.databasePath);
    const conversation = await store.get("2025-04-23-dancing-happy-walrus");
    await store.close();
    expect(conversation).toMatchObject({ name: "Café script", workspace: join(home.home, "projects", "cafe"), branchCount: 2, messageCount: 4 });
    expect(conversation!.created).toBeCloseTo(Date.parse("2025-04-23T10:00:00.000001") / 1000, 0);

    const exported = await util(["export", "2025-04-23-dancing-happy-walrus", "--dir", join(home.root, "out")]);
    expect(exported.code).toBe(0);
    const directory = join(home.root, "out", "2025-04-23-dancing-happy-walrus");
    // Byte for byte what gptme wrote: same keys, order, separators and escapes.
    expect(readFileSync(join(directory, "conversation.jsonl"), "utf8")).toBe(`${mainLines.join("\n")}\n`);
    expect(readFileSync(join(directory, "branches", "main-undo-0.jsonl"), "utf8")).toBe(`${branchLines.join("\n")}\n`);
    const config = readFileSync(join(directory, "config.toml"), "utf8");
    expect(config).toContain('workspace = "~/projects/cafe"');
    expect(config).toContain('name = "Café script"');
    expect(config).toContain('FOO = "bar"');
  });

  it("reports malformed lines with their line numbers and imports the rest", async () => {
    const imported = await util(["import", join(writeGptmeLogs(), "2025-04-24-flying-calm-otter")]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/conversation\.jsonl:2: skipped: not valid JSON/);
    expect(imported.stdout).toMatch(/conversation\.jsonl:3: skipped: unknown role "robot"/);
    expect(imported.stdout).toContain("Imported 2025-04-24-flying-calm-otter: 2 messages");

    const exported = await util(["export", "2025-04-24-flying-calm-otter", "--dir", join(home.root, "out")]);
    expect(exported.code).toBe(0);
    const lines = readFileSync(join(home.root, "out", "2025-04-24-flying-calm-otter", "conversation.jsonl"), "utf8");
    expect(lines).toBe(`${mainLines[1]}\n${mainLines[2]}\n`);
  });

  it("skips ids already in the store on a second import, and replaces them with --replace", async () => {
    const logs = writeGptmeLogs();
    expect((await util(["import", logs])).code).toBe(0);
    const again = await util(["import", logs]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Skipped 2025-04-23-dancing-happy-walrus: already in the store");
    expect(again.stdout).toContain("0 imported, 2 skipped");

    writeFileSync(join(logs, "2025-04-24-flying-calm-otter", "conversation.jsonl"), `${mainLines[1]}\n`);
    const replaced = await util(["import", logs, "--replace"]);
    expect(replaced.stdout).toContain("2 imported");
    const store = SqliteConversationStore.open(home.databasePath);
    expect(await store.messages("2025-04-24-flying-calm-otter")).toHaveLength(1);
    expect((await store.list({ limit: 10 })).items).toHaveLength(2);
    await store.close();
  });

  it("counts in the singular when there is one (1 message, 1 bad line)", async () => {
    const directory = join(home.root, "2025-04-25-lone-message");
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "conversation.jsonl"), `${mainLines[1]}\n{not json\n`);
    const imported = await util(["import", directory]);
    expect(imported.stdout).toContain("Imported 2025-04-25-lone-message: 1 message\n");
    expect(imported.stdout).toContain("1 imported, 0 skipped, 0 failed, 1 bad line skipped\n");
    const exported = await util(["export", "2025-04-25-lone-message", "--dir", join(home.root, "out")]);
    expect(exported.stdout).toContain("(1 message, 0 other branches)");
    expect((await util(["chats", "list"])).stdout).toContain("(1 message, ");
  });

  it("fails clearly for a directory without conversations and an unknown id", async () => {
    const empty = await util(["import", home.workspace]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^gptme-util: .*no gptme conversation/);
    const missing = await util(["export", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("gptme-util: There is no conversation nope (see gptme-util chats list)\n");
  });
});

describe("gptme-util listings", () => {
  it("lists and searches chats, lists models and tools", async () => {
    await util(["import", writeGptmeLogs()]);
    const list = await util(["chats", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout.split("\n")[0]).toContain("2025-04-24-flying-calm-otter");
    expect(list.stdout).toContain("2025-04-23-dancing-happy-walrus  Café script  (4 messages, 2025-04-23 10:00)");
    const search = await util(["chats", "search", "SCRIPT"]);
    expect(search.stdout.trim().split("\n")).toHaveLength(1);
    expect(search.stdout).toContain("dancing-happy-walrus");

    const models = await runCli("gptme-util", ["models", "list"], { env: { ...home.env, ANTHROPIC_API_KEY: "k" }, cwd: home.root });
    expect(models.code).toBe(0);
    expect(models.stdout).toContain("Default model: anthropic/");
    expect(models.stdout).toContain("anthropic (configured)");
    expect(models.stdout).toContain("openai (set OPENAI_API_KEY)");

    const tools = await util(["tools", "list"]);
    expect(tools.code).toBe(0);
    expect(tools.stdout).toMatch(/save +Write text to file/);
    expect((await util(["chats", "frobnicate"])).code).toBe(1);
  });
});
