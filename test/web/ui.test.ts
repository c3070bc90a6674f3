/**
 * The web client in a real browser against a scripted stand-in API (see support/mock-api-server.ts):
 * sign-in, streaming, tool decisions, reconnects, pagination, phone layout and keyboard use.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildWebClient, hasChromium, launchBrowser, openPage, type WatchedPage } from "./support/browser.js";
import { startMockApi, type MockApi, type MockConversation } from "./support/mock-api-server.js";

const toolUse = { tool: "save", args: ["hello.txt"], content: "Hello\n" };

function conversation(id: string, name: string, modified: number, log: MockConversation["log"] = []): MockConversation {
  return { id, name, modified, log, model: "local/mock" };
}

describe.skipIf(!hasChromium)("web client against a scripted API", () => {
  let webRoot: string;
  let browser: Browser;
  let api: MockApi;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    webRoot = buildWebClient(".tmp/web-ui-test");
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    api = await startMockApi({
      webRoot,
      conversations: [
        conversation("chat-old", "Older chat", 1_000, [{ role: "user", content: "old question", timestamp: "2026-01-01T00:00:00Z" }]),
        conversation("chat-new", "Newest chat", 2_000, [
          { role: "system", content: "You are gptme.", timestamp: "2026-01-01T00:00:00Z", hide: true },
          { role: "user", content: "hi", timestamp: "2026-01-01T00:00:01Z", files: ["notes/plan one.md"] },
        ]),
      ],
    });
    watched = await openPage(browser);
    page = watched.page;
  });

  afterEach(async () => {
    await watched.context.close();
    await api.close();
  });

  async function signIn(path = "/") {
    await page.goto(`${api.url}${path}#token=${api.token}`);
    await page.getByRole("navigation").or(page.getByRole("complementary", { name: "Conversations" })).first().waitFor();
  }

  it("asks for a token, rejects a wrong one, and accepts the right one", async () => {
    await page.goto(api.url);
    await page.getByRole("heading", { name: "Sign in to gptme" }).waitFor();
    await page.getByLabel("Access token").fill("wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "not accepted" }).waitFor();
    await page.getByLabel("Access token").fill(api.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: /Newest chat/ }).waitFor();
    expect(await page.evaluate(() => document.cookie)).toBe("");
  });

  it("signs in from the start-up link, removes the token from the address bar, and lists newest first", async () => {
    await signIn();
    await page.getByRole("link", { name: /Newest chat/ }).waitFor();
    expect(page.url()).toBe(`${api.url}/`);
    const names = await page.locator(".conversation-name").allTextContents();
    expect(names).toEqual(["Newest chat", "Older chat"]);
    expect(api.calls.filter((call) => call.path.includes("token=")).length).toBe(0);
  });

  it("accepts gptme webui's userToken fragment", async () => {
    await page.goto(`${api.url}/#baseUrl=x&userToken=${api.token}`);
    await page.getByRole("link", { name: /Newest chat/ }).waitFor();
    expect(new URL(page.url()).hash).toBe("");
  });

  it("shows a banner when the server has no model provider", async () => {
    api.providerConfigured = false;
    await signIn();
    await page.getByText("No model provider is configured on this server.").waitFor();
  });

  it("shows the sandbox backend quietly and warns when tools are not isolated; a server without the report is fine", async () => {
    await signIn();
    await page.getByRole("link", { name: /Newest chat/ }).waitFor();
    expect(await page.locator(".sandbox-badge").count()).toBe(0);
    expect(await page.getByText("Sandbox warning.").count()).toBe(0);

    api.sandbox = { backend: "bwrap", isolated: true, isolates: ["filesystem", "processes"], limits: { available: true, detail: "cgroup v2" }, network: "none", warning: null };
    await page.reload();
    await page.locator(".sandbox-badge").waitFor();
    expect(await page.locator(".sandbox-badge > [aria-hidden]").textContent()).toBe("sandbox: bwrap");
    expect(await page.locator(".sandbox-badge").getAttribute("title")).toContain("isolates filesystem, processes");
    expect(await page.getByText("Sandbox warning.").count()).toBe(0);

    api.sandbox = { backend: "none", isolated: false, isolates: [], limits: { available: false, detail: "" }, network: "on", warning: null };
    await page.reload();
    const banner = page.getByRole("status").filter({ hasText: "Sandbox warning." });
    await banner.getByText(/without a sandbox \(backend: none\)/).waitFor();
    await banner.getByRole("button", { name: "Dismiss sandbox warning" }).click();
    await banner.waitFor({ state: "detached" });

    api.sandbox = { backend: "user", isolated: true, isolates: ["user"], limits: { available: false, detail: "" }, network: "on", warning: "bubblewrap is missing: tools run as a separate user only" };
    await page.reload();
    await page.getByText("bubblewrap is missing: tools run as a separate user only").waitFor();
  });

  it("creates a conversation, streams the reply and shows its cost", async () => {
    await signIn();
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Say hello");
    await composer.press("Enter");
    await page.waitForURL(/\/chat\/chat-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    await page.getByText("Hello from the mock").waitFor();
    const put = api.calls.find((call) => call.method === "PUT")!;
    expect(put.body).toMatchObject({
      messages: [{ role: "user", content: "Say hello" }],
      config: { chat: { model: "local/mock", stream: true, workspace: "." } },
    });
    const step = api.calls.find((call) => call.path.endsWith("/step"))!;
    expect(step.body).toMatchObject({ stream: true, branch: "main", model: "local/mock" });
    expect(step.body.session_id).toMatch(/^session-/);
    await page.getByLabel(/This reply: 120 input tokens/).waitFor();
    expect(await page.locator(".conversation-header .usage").textContent()).toContain("$0.0012");
  });

  it("renders model output with HTML as text and never runs it", async () => {
    const hostile = 'Look: <script>window.__pwned = 1; alert(1)</script> <img src=x onerror="window.__pwned = 2; alert(2)">\n\n[click](javascript:alert(3))';
    api.conversations.set("chat-xss", conversation("chat-xss", "Hostile", 3_000, [{ role: "assistant", content: hostile, timestamp: "2026-01-01T00:00:02Z" }]));
    await signIn("/chat/chat-xss");
    await page.getByText("<script>window.__pwned = 1; alert(1)</script>", { exact: false }).waitFor();
    await page.getByText('<img src=x onerror="window.__pwned = 2; alert(2)">', { exact: false }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator(".message img, .message script").count()).toBe(0);
    expect(await page.locator('a[href^="javascript"]').count()).toBe(0);
    expect(watched.dialogs).toEqual([]);
  });

  it("shows a tool preview and sends Confirm, Edit, Skip and Auto decisions", async () => {
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    const decide = async (toolId: string, click: () => Promise<void>) => {
      api.publish("chat-new", { type: "tool_pending", tool_id: toolId, tooluse: toolUse, auto_confirm: false, preview: "--- a/hello.txt\n+++ b/hello.txt\n@@ -0,0 +1 @@\n+Hello\n" });
      const card = page.getByRole("region", { name: /Run this tool\? save hello.txt/ });
      await card.waitFor();
      expect(await card.locator(".token-addition").textContent()).toBe("+Hello");
      await click();
      await expect.poll(() => api.calls.filter((call) => call.path.endsWith("/tool/confirm")).at(-1)?.body?.tool_id).toBe(toolId);
      const body = api.calls.filter((call) => call.path.endsWith("/tool/confirm")).at(-1)!.body;
      api.publish("chat-new", { type: "tool_complete", tool_id: toolId, success: true });
      await card.waitFor({ state: "detached" });
      return body;
    };
    expect(await decide("t1", () => page.getByRole("button", { name: "Confirm" }).click())).toMatchObject({ action: "confirm", session_id: expect.stringMatching(/^session-/) });
    const edited = await decide("t2", async () => {
      await page.getByRole("button", { name: "Edit" }).click();
      await page.getByLabel("Edit the content before it runs").fill("Changed\n");
      await page.getByRole("button", { name: "Run edited" }).click();
    });
    expect(edited).toMatchObject({ action: "edit", content: "Changed\n" });
    expect(await decide("t3", () => page.getByRole("button", { name: "Skip" }).click())).toMatchObject({ action: "skip" });
    const auto = await decide("t4", async () => {
      await page.getByRole("button", { name: "Auto" }).click();
      await page.getByLabel("Run this and auto-confirm the next").fill("3");
      await page.getByRole("button", { name: "Start" }).click();
    });
    expect(auto).toMatchObject({ action: "auto", count: 3 });
  });

  it("resumes after a dropped connection without duplicating streamed text", async () => {
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    api.publish("chat-new", { type: "generation_started" });
    api.publish("chat-new", { type: "generation_progress", token: "One, " });
    await page.getByText("One,").waitFor();
    api.dropConnections();
    api.publish("chat-new", { type: "generation_progress", token: "two, " });
    api.publish("chat-new", { type: "generation_progress", token: "three." });
    await expect.poll(() => page.locator(".message-streaming .markdown").textContent(), { timeout: 10_000 }).toBe("One, two, three.");
    await page.waitForTimeout(300);
    expect(await page.locator(".message-streaming .markdown").textContent()).toBe("One, two, three.");
    const reconnects = api.calls.filter((call) => call.path.startsWith("/api/v2/conversations/chat-new/events"));
    expect(reconnects.length).toBeGreaterThanOrEqual(2);
  });

  it("starts a new session and reloads the log when the server forgot its session", async () => {
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    api.forgetSessions();
    api.conversations.get("chat-new")!.log.push({ role: "assistant", content: "Written while you were away", timestamp: "2026-01-01T00:00:05Z" });
    await page.getByText("Written while you were away").waitFor({ timeout: 15_000 });
  });

  it("refetches the log when the server says the missed events are gone", async () => {
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    api.publish("chat-new", { type: "ping" });
    await expect.poll(() => api.calls.filter((call) => call.path === "/api/v2/conversations/chat-new").length).toBeGreaterThan(0);
    api.dropConnections();
    const message = { role: "assistant" as const, content: "Only in the log", timestamp: "2026-01-01T00:00:06Z" };
    api.conversations.get("chat-new")!.log.push(message);
    api.publish("chat-new", { type: "message_added", message });
    api.trimBuffer("chat-new");
    await page.getByText("Only in the log").waitFor({ timeout: 15_000 });
    // The client reloads by itself: the server's notice is not shown as an error.
    expect(await page.getByRole("alert").count()).toBe(0);
  });

  it("pages through thousands of conversations and searches them on the server", async () => {
    for (let index = 0; index < 1200; index++) {
      api.conversations.set(`bulk-${index}`, conversation(`bulk-${index}`, `Bulk ${String(index).padStart(4, "0")}`, 100 + index));
    }
    await signIn();
    const items = page.locator(".conversation-item");
    await expect.poll(() => items.count()).toBe(50);
    await page.locator(".load-more").scrollIntoViewIfNeeded();
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(100);
    await page.getByLabel("Search conversations").fill("Bulk 0042");
    await expect.poll(() => page.locator(".conversation-name").allTextContents()).toEqual(["Bulk 0042"]);
    expect(api.calls.some((call) => call.path.includes("q=Bulk+0042") && call.path.includes("paginated=1"))).toBe(true);
    expect(api.calls.some((call) => call.path.includes("cursor=50"))).toBe(true);
  });

  it("titles an unnamed conversation by its first words, and shows where a search matched", async () => {
    const id = "chat-2026-11-30T11-30-52-390Z";
    api.conversations.set(id, conversation(id, id, 3_000, [
      { role: "user", content: "Plan a trip to Perth", timestamp: "2026-01-01T00:00:00Z" },
      { role: "assistant", content: "Day two: take the ferry to Rottnest Island.", timestamp: "2026-01-01T00:00:01Z" },
      { role: "user", content: "thanks", timestamp: "2026-01-01T00:00:02Z" },
    ]));
    await signIn();
    await page.getByRole("link", { name: /Plan a trip to Perth/ }).waitFor();
    expect(await page.locator(".conversation-name").allTextContents()).not.toContain(id);
    await page.getByRole("link", { name: /Plan a trip to Perth/ }).click();
    await page.getByRole("heading", { name: "Plan a trip to Perth" }).waitFor();

    await page.getByLabel("Search conversations").fill("rottnest");
    const hit = page.locator(".conversation-item").filter({ hasText: "Plan a trip to Perth" });
    await expect.poll(() => page.locator(".conversation-item").count()).toBe(1);
    expect(await hit.locator(".conversation-snippet").textContent()).toBe("Day two: take the ferry to Rottnest Island.");
    expect(await hit.locator(".conversation-snippet mark").textContent()).toBe("Rottnest");

    // A name, once given, replaces the opening words.
    api.publish(id, { type: "config_changed", config: { chat: { name: "Perth trip" } }, changed_fields: ["name"] });
    await page.getByRole("heading", { name: "Perth trip" }).waitFor();
  });

  it("marks an interrupted reply, hides zero costs, and shows auto-confirm with a way to turn it off", async () => {
    const local = { model: "local/llama3", input_tokens: 900, output_tokens: 40, cost: 0 };
    api.conversations.set("chat-local", conversation("chat-local", "Local model", 3_000, [
      { role: "user", content: "list the files", timestamp: "2026-01-01T00:00:00Z" },
      { role: "assistant", content: "It scans the whole table [INTERRUPTED]", timestamp: "2026-01-01T00:00:01Z", metadata: local },
      { role: "user", content: "go on", timestamp: "2026-01-01T00:00:02Z" },
      { role: "assistant", content: "Listing them:\n\n```shell\nls -la\n```", timestamp: "2026-01-01T00:00:03Z", metadata: local },
    ]));
    await signIn("/chat/chat-local");
    const stopped = page.getByRole("article", { name: "Assistant message" }).filter({ hasText: "It scans the whole table" });
    await stopped.waitFor();
    expect(await stopped.locator(".markdown").textContent()).toBe("It scans the whole table");
    expect(await stopped.locator(".marker-interrupted").textContent()).toContain("interrupted");
    expect(await page.locator(".conversation-header .usage").textContent()).toContain("80 out");
    expect(await page.locator(".usage").allTextContents()).not.toContainEqual(expect.stringContaining("$"));
    expect(await page.getByLabel(/This reply: 900 input tokens/).first().getAttribute("aria-label")).not.toContain("cost");

    api.publish("chat-local", { type: "tool_pending", tool_id: "auto-1", tooluse: { tool: "shell", args: [], content: "ls -la" }, auto_confirm: true, auto_confirm_left: 2, preview: "ls -la" });
    const status = page.locator(".auto-confirm-status");
    await status.getByText("Auto-confirming the next 2 tools").waitFor();
    await status.getByRole("button", { name: "Turn off" }).click();
    await expect.poll(() => api.calls.filter((call) => call.path.endsWith("/tool/confirm")).at(-1)?.body).toMatchObject({ auto_confirm: false });
    await status.waitFor({ state: "detached" });
    api.publish("chat-local", { type: "tool_complete", tool_id: "auto-1", success: true });

    // The command is in the reply above: the card asks about it without repeating it.
    api.publish("chat-local", { type: "tool_pending", tool_id: "ask-1", tooluse: { tool: "shell", args: [], content: "ls -la" }, auto_confirm: false, auto_confirm_left: 0, preview: "ls -la" });
    const card = page.getByRole("region", { name: "Run the command above?" });
    await card.waitFor();
    expect(await card.locator(".code-block").count()).toBe(0);
    await card.getByRole("button", { name: "Skip" }).click();
    api.publish("chat-local", { type: "tool_complete", tool_id: "ask-1", success: true });
    await card.waitFor({ state: "detached" });

    // A command the reply does not show is shown, as the shell it is, not as "changes".
    api.publish("chat-local", { type: "tool_pending", tool_id: "ask-2", tooluse: { tool: "shell", args: [], content: "echo $HOME" }, auto_confirm: false, preview: "echo $HOME" });
    const other = page.getByRole("region", { name: /Run this tool\? shell/ });
    await other.waitFor();
    expect(await other.locator(".code-label").textContent()).toBe("shell");
    expect(await other.locator(".code-block pre").textContent()).toBe("echo $HOME");
  });

  it("renames and deletes from the header", async () => {
    await signIn("/chat/chat-old");
    await page.getByRole("heading", { name: "Older chat" }).waitFor();
    await page.getByRole("button", { name: "Rename conversation" }).click();
    await page.getByLabel("Conversation name").fill("Renamed chat");
    await page.getByLabel("Conversation name").press("Enter");
    await page.getByRole("heading", { name: "Renamed chat" }).waitFor();
    await page.getByRole("link", { name: /Renamed chat/ }).waitFor();
    expect(api.calls.find((call) => call.method === "PATCH")?.body).toEqual({ chat: { name: "Renamed chat" } });
    await page.getByRole("button", { name: "Delete conversation" }).click();
    await page.getByRole("button", { name: "Delete for good" }).click();
    await page.waitForURL(`${api.url}/`);
    await page.getByRole("link", { name: /Renamed chat/ }).waitFor({ state: "detached" });
    expect(api.conversations.has("chat-old")).toBe(false);
  });

  it("toggles hidden system messages and browses the workspace", async () => {
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    expect(await page.getByRole("link", { name: "notes/plan one.md" }).getAttribute("href")).toBe("/api/v2/conversations/chat-new/files/notes/plan%20one.md");
    expect(await page.getByText("You are gptme.").count()).toBe(0);
    await page.getByRole("button", { name: "Show hidden messages" }).click();
    await page.getByText("You are gptme.").waitFor();
    await page.getByRole("button", { name: "Workspace files" }).click();
    const names = page.locator(".file-list .file-name");
    await expect.poll(() => names.allTextContents()).toEqual(["src", "data.bin", "dot.png", "notes.md"]);
    await page.getByRole("button", { name: /notes\.md/ }).click();
    await page.getByRole("region", { name: "Preview of notes.md" }).getByText("# Notes").waitFor();
    await page.getByRole("button", { name: /dot\.png/ }).click();
    const image = page.getByRole("region", { name: "Preview of dot.png" }).getByRole("img", { name: "dot.png" });
    await image.waitFor();
    expect(await image.evaluate((element) => (element as HTMLImageElement).naturalWidth)).toBe(1);
    await page.getByRole("button", { name: /data\.bin/ }).click();
    await page.getByText("data.bin is a binary file (2.0 KB, application/octet-stream)").waitFor();
  });

  it("sends with Enter, keeps Shift+Enter as a new line, and stops with Esc", async () => {
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    api.onStep = (current) => api.publish(current.id, { type: "generation_started" });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.click();
    await page.keyboard.type("line one");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("line two");
    await page.keyboard.press("Enter");
    await expect.poll(() => api.calls.find((call) => call.method === "POST" && call.path === "/api/v2/conversations/chat-new")?.body?.content).toBe("line one\nline two");
    await page.getByRole("button", { name: "Stop" }).waitFor();
    await page.keyboard.press("Escape");
    await expect.poll(() => api.calls.some((call) => call.path.endsWith("/interrupt"))).toBe(true);
  });

  it("collapses the list into a drawer on a phone", async () => {
    await watched.page.setViewportSize({ width: 390, height: 780 });
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    const drawer = page.locator("#conversation-drawer");
    expect(await drawer.evaluate((element) => element.getBoundingClientRect().right <= 0)).toBe(true);
    await page.getByRole("button", { name: "Open conversation list" }).click();
    await expect.poll(() => drawer.evaluate((element) => Math.round(element.getBoundingClientRect().left))).toBe(0);
    await page.getByRole("link", { name: /Older chat/ }).click();
    await page.getByRole("heading", { name: "Older chat" }).waitFor();
    await expect.poll(() => drawer.evaluate((element) => element.getBoundingClientRect().right <= 0)).toBe(true);
    await page.screenshot({ path: "test-results/phone.png" });
  });

  it("returns to the sign-in screen when the cookie expires", async () => {
    await signIn("/chat/chat-new");
    await page.getByText("hi", { exact: true }).waitFor();
    api.expireAuth();
    await page.getByLabel("Search conversations").fill("x");
    await page.getByRole("heading", { name: "Sign in to gptme" }).waitFor();
    await page.getByText("Your sign-in has expired").waitFor();
  });

  afterEach(() => {
    expect(watched.blockedRequests).toEqual([]);
    expect(watched.errors.filter((error) => !/Failed to load resource|EventSource/.test(error))).toEqual([]);
  });
});
