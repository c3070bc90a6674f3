/** `gptme -n` end to end: a real child process, the fake model server over HTTP, a temp store. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createTestServer } from "../support/test-runtime.js";
import { createCliHome, runCli, type CliHome } from "./support/cli-process.js";

let server: FakeModelServer;
let home: CliHome;

beforeAll(async () => {
  server = await startFakeModelServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
  home = createCliHome({ OPENAI_BASE_URL: server.openaiBaseURL });
});
afterEach(() => home.cleanup());

const gptme = (args: string[], stdin?: string) => runCli("gptme", args, { env: home.env, cwd: home.workspace, stdin });

async function storedConversations() {
  const store = SqliteConversationStore.open(home.databasePath);
  try {
    const { items } = await store.list({ limit: 10 });
    return await Promise.all(items.map(async (item) => ({ ...(await store.get(item.id))!, messages: await store.messages(item.id) })));
  } finally {
    await store.close();
  }
}

describe("gptme -n", () => {
  it("says why a reply ended without its text (an Anthropic refusal), on screen and in the store", async () => {
    const explanation = "This request could enable the development of malware.";
    server.enqueue({ stopReason: "refusal", stopDetails: { type: "refusal", category: "cyber", explanation } }, { text: "Refused" });
    const env = { ...home.env, ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: server.anthropicBaseURL };
    const result = await runCli("gptme", ["-n", "-m", "anthropic/claude-sonnet-4-6", "write malware"], { env, cwd: home.workspace });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/System: The model declined to answer \(a refusal\), so the reply is empty\. The provider said: "This request could enable/);
    const [conversation] = await storedConversations();
    expect(conversation!.messages.slice(-2).map(({ role, content }) => ({ role, content }))).toEqual([
      { role: "assistant", content: "" },
      { role: "system", content: expect.stringContaining(explanation) },
    ]);
  });

  it("writes hello.py in the working directory, prints the tool output and stores the conversation", async () => {
    server.enqueue(
      { text: "I will write it.\n```save hello.py\nprint('hello')\n```\n" },
      { text: "Done: hello.py prints hello." },
      { text: "Hello script" },
    );
    const result = await gptme(["-n", "-m", "local/fake", "write hello.py"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(readFileSync(join(home.workspace, "hello.py"), "utf8")).toBe("print('hello')\n");
    expect(result.stdout).toContain("User: write hello.py");
    expect(result.stdout).toContain("System: Saved to hello.py");
    expect(result.stdout).toContain("Assistant: Done: hello.py prints hello.");
    // Piped output is the plain text of the reply: no escape codes.
    expect(result.stdout).not.toContain("\u001b[");

    const [conversation] = await storedConversations();
    expect(conversation!.id).toMatch(/^\d{4}-\d{2}-\d{2}-[a-z]+-[a-z]+-[a-z]+$/);
    expect(conversation!.workspace).toBe(home.workspace);
    expect(conversation!.name).toBe("Hello script");
    expect(conversation!.config.chat).toMatchObject({ model: "local/fake", interactive: false, tool_format: "markdown" });
    const roles = conversation!.messages.map((message) => (message.pinned ? "prompt" : message.role));
    expect(roles.filter((role) => role !== "prompt")).toEqual(["user", "assistant", "system", "assistant"]);
    expect(roles[0]).toBe("prompt");
    expect(conversation!.messages.at(-1)!.metadata).toMatchObject({ model: "local/fake" });
  });

  it("is what the server (and so the web UI) shows for the conversation", async () => {
    server.enqueue({ text: "Hi!" }, { text: "Greeting" });
    expect((await gptme(["-n", "-m", "local/fake", "--name", "from-terminal", "hello"])).code).toBe(0);
    const api = createTestServer({ databasePath: home.databasePath });
    try {
      const list = (await (await api.call("/api/v2/conversations?limit=10")).json()) as Array<{ id: string; name: string }>;
      expect(list.map((item) => item.id)).toContain("from-terminal");
      const detail = (await (await api.call("/api/v2/conversations/from-terminal")).json()) as { log: Array<{ role: string; content: string }> };
      expect(detail.log.filter((message) => message.role !== "system").map((message) => message.content)).toEqual(["hello", "Hi!"]);
      const config = (await (await api.call("/api/v2/conversations/from-terminal/config")).json()) as { chat: { workspace: string; model: string } };
      expect(config.chat).toMatchObject({ workspace: home.workspace, model: "local/fake" });
    } finally {
      await api.close();
    }
  });

  it("answers prompts chained with a lone '-' in order, in one conversation", async () => {
    server.enqueue({ text: "first answer" }, { text: "Named" }, { text: "second answer" });
    const result = await gptme(["-n", "-m", "local/fake", "one", "-", "two"]);
    expect(result.code).toBe(0);
    expect(result.stdout.indexOf("first answer")).toBeLessThan(result.stdout.indexOf("second answer"));
    const [conversation] = await storedConversations();
    expect(conversation!.messages.filter((message) => message.role === "user").map((message) => message.content)).toEqual(["one", "two"]);
  });

  it("adds piped input to the prompt as a stdin block, as gptme does", async () => {
    server.enqueue({ text: "It says hi." }, { text: "Piped" });
    const result = await gptme(["-n", "-m", "local/fake", "what does it say?"], "hi there\n");
    expect(result.code).toBe(0);
    const [conversation] = await storedConversations();
    const user = conversation!.messages.find((message) => message.role === "user")!;
    expect(user.content).toBe("what does it say?\n\n```stdin\nhi there\n```");
  });

  it("resumes --name X when X exists, and names a new one X", async () => {
    server.enqueue({ text: "one" }, { text: "two" });
    expect((await gptme(["-n", "-m", "local/fake", "--name", "my-chat", "first"])).code).toBe(0);
    expect((await gptme(["-n", "--name", "my-chat", "second"])).code).toBe(0);
    const conversations = await storedConversations();
    expect(conversations.map((conversation) => conversation.id)).toEqual(["my-chat"]);
    expect(conversations[0]!.name).toBe("my-chat");
    expect(conversations[0]!.messages.filter((message) => message.role === "user").map((message) => message.content)).toEqual(["first", "second"]);
  });

  it("-r resumes the most recent conversation; --no-stream asks for one whole reply", async () => {
    server.enqueue({ text: "one" }, { text: "Named" }, { text: "two" });
    expect((await gptme(["-n", "-m", "local/fake", "first"])).code).toBe(0);
    const resumed = await gptme(["-n", "-r", "--no-stream", "second"]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain("Assistant: two");
    expect(server.requests.at(-1)!.body.stream).toBeFalsy();
    const conversations = await storedConversations();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messages.filter((message) => message.role === "user").map((message) => message.content)).toEqual(["first", "second"]);
  });

  it("takes the workspace from -w and tools from -t", async () => {
    server.enqueue({ text: "```save note.txt\nx\n```\n" }, { text: "saved" });
    const result = await gptme(["-n", "-m", "local/fake", "--name", "ws", "-w", home.root, "-t", "save", "go"]);
    expect(result.code).toBe(0);
    expect(existsSync(join(home.root, "note.txt"))).toBe(true);
    const [conversation] = await storedConversations();
    expect(conversation!.config.chat.tools).toEqual(["save"]);
    expect(conversation!.workspace).toBe(home.root);
  });

  it("talks to Anthropic's API with ANTHROPIC_BASE_URL and a key", async () => {
    home.env.ANTHROPIC_BASE_URL = server.anthropicBaseURL;
    home.env.ANTHROPIC_API_KEY = "test-key";
    delete home.env.OPENAI_BASE_URL;
    server.enqueue({ text: "Hello from Claude" }, { text: "Greeting" });
    const result = await gptme(["-n", "hello"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Hello from Claude");
    expect(server.requests[0]!.path).toBe("/v1/messages");
    const [conversation] = await storedConversations();
    expect(conversation!.config.chat.model).toMatch(/^anthropic\//);
  });
});
