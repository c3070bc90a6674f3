/**
 * End to end: the system prompt with the real tools, the OpenAI SDK against the fake model server,
 * and the real save, patch and shell tools in a temporary workspace, on each local sandbox backend.
 */
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAgentLoop } from "../../runtime/agent/loop.js";
import { buildSystemPrompt } from "../../runtime/agent/prompt/index.js";
import type { AgentEvent } from "../../runtime/agent/types.js";
import { createModelRegistry } from "../../runtime/models/registry.js";
import { createToolRegistry } from "../../runtime/tools/registry.js";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { describeEachLocalBackend, giveToToolsUser, testSandboxManager } from "../support/sandboxes.js";
import { MemoryStore } from "./support/memory-store.js";

let server: FakeModelServer;
let root: string;

beforeAll(async () => {
  server = await startFakeModelServer();
  root = await mkdtemp(join(tmpdir(), "gptme-loop-e2e-"));
});
beforeEach(() => server.reset());
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

describeEachLocalBackend("the agent loop with the real tools", {}, (backend) => {
  it("writes hello.py with save, patches it, runs it with shell, and reads the output", async () => {
    const workspace = await mkdtemp(join(root, `${backend}-`));
    if (backend === "user") {
      await chmod(root, 0o711);
      giveToToolsUser(backend, workspace);
    }
    const sandboxes = testSandboxManager(backend);
    const tools = createToolRegistry({ tools: ["save", "patch", "shell"] });
    const registry = createModelRegistry({ env: { OPENAI_BASE_URL: server.openaiBaseURL }, userConfigPath: null });
    const store = new MemoryStore();
    const prompt = await buildSystemPrompt({
      tools: tools.all(),
      toolFormat: "markdown",
      interactive: false,
      model: "local/fake",
      workspace,
      prompt: "full",
      configDirectory: join(root, "no-config"),
    });
    await store.create({
      id: "e2e",
      config: { chat: {}, env: {} },
      workspace,
      messages: [...prompt, { role: "user", content: "Write and run a hello script.", timestamp: new Date().toISOString() }],
    });
    server.enqueue(
      { text: 'Creating the script.\n```save hello.py\nprint("hello")\n```\n' },
      { text: 'Now a friendlier greeting.\n```patch hello.py\n<<<<<<< ORIGINAL\nprint("hello")\n=======\nprint("hello world")\n>>>>>>> UPDATED\n```\n' },
      { text: "Running it.\n```shell\npython3 hello.py\n```\n" },
      { text: "It printed hello world." },
    );
    const events: AgentEvent[] = [];
    const outcome = await runAgentLoop({
      conversationId: "e2e",
      store,
      model: registry.resolve("local/fake"),
      tools,
      cost: registry.cost,
      toolFormat: "markdown",
      workspace,
      dataDirectory: join(root, "data"),
      sandbox: () => sandboxes.forConversation("e2e", workspace),
      signal: new AbortController().signal,
      confirm: async () => ({ action: "confirm" }),
      takeAutoConfirm: () => true,
      emit: (event) => events.push(event),
    });

    expect(outcome).toBe("done");
    expect(await readFile(join(workspace, "hello.py"), "utf8")).toBe('print("hello world")\n');
    const results = (await store.messages("e2e")).filter((message, index) => index > prompt.length && message.role === "system");
    expect(results).toHaveLength(3);
    expect(results[0].content).toMatch(/Saved to .*hello\.py/);
    expect(results[1].content).toMatch(/Patch successfully applied/);
    expect(results[2].content).toContain("hello world");
    expect(events.filter((event) => event.type === "tool_complete").map((event) => event.type === "tool_complete" && event.success)).toEqual([
      true,
      true,
      true,
    ]);
    const savePending = events.find((event) => event.type === "tool_pending");
    expect(savePending).toMatchObject({ tooluse: { tool: "save", args: ["hello.py"], content: 'print("hello")' }, auto_confirm: true });

    expect(server.requests).toHaveLength(4);
    const systemSent = JSON.stringify(server.requests[0].body.messages[0]);
    expect(systemSent).toContain("# Tools Overview");
    expect(systemSent).toContain("## patch");
    expect(JSON.stringify(server.requests[3].body.messages)).toContain("hello world");
  });
});
