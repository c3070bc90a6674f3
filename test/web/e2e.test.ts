/**
 * The web client end to end: the real server (Node adapter, child process) with the fake model
 * server behind it, driven through headless Chromium with every non-loopback request aborted.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, openPage, repositoryRoot, type WatchedPage } from "./support/browser.js";
import { startStack, type Stack } from "./support/stack.js";

const token = "e2e-web-token";
const saveReply = "I'll write the file now.\n\n```save hello.txt\nhello world\n```\n";
const finalReply = "Done: **hello.txt** now says hello world.";
const hostileReply =
  'Careful: <script>window.__pwned = 1; alert("script")</script> and <img src=x onerror="window.__pwned = 2; alert(\'img\')"> stay text.';

describe.skipIf(!hasChromium)("web client end to end against the real server", () => {
  let stack: Stack;
  let server: Stack["server"];
  let model: Stack["model"];
  let workspace: string;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack(token);
    ({ server, model, workspace } = stack);
    watched = await openPage(stack.browser);
    page = watched.page;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const assistantMessages = () => page.getByRole("article", { name: "Assistant message" });
  const messageTexts = () => page.locator(".message-column > article.message").allTextContents();

  it("signs in with the start-up link's token and shows the empty state", async () => {
    await page.goto(`${server.url}/#token=${token}`);
    await page.getByText("What should we work on?").waitFor();
    expect(new URL(page.url()).hash).toBe("");
    expect(await page.evaluate(() => document.cookie)).not.toContain(token);
    await page.getByText("No conversations yet.").waitFor();
    expect(await page.getByLabel("Model").inputValue()).toBe("local/fake");
  });

  it("creates a conversation, streams the reply, confirms a save tool and shows the outcome", async () => {
    // The third request is the server naming the conversation after its first exchange.
    model.enqueue({ text: saveReply, chunkSize: 3, delayMs: 15 }, { text: finalReply, chunkSize: 4, delayMs: 10 }, { text: "Write hello.txt" });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Please write hello.txt");
    await composer.press("Enter");
    await page.waitForURL(/\/chat\/chat-[\dT-]+Z$/);
    // The reply arrives token by token in a streaming placeholder before it is stored.
    await page.locator(".message-streaming").waitFor();
    const tool = page.getByRole("region", { name: /Run this tool\? save hello\.txt/ });
    await tool.waitFor();
    await assistantMessages().filter({ hasText: "I'll write the file now." }).waitFor();
    expect(await tool.locator(".token-addition").allTextContents()).toContain("+hello world");
    expect(existsSync(join(workspace, "hello.txt"))).toBe(false);

    await tool.getByRole("button", { name: "Confirm" }).click();
    await assistantMessages().filter({ hasText: "Done: hello.txt now says hello world." }).waitFor();
    await tool.waitFor({ state: "detached" });
    expect(readFileSync(join(workspace, "hello.txt"), "utf8")).toBe("hello world\n");
    await page.getByRole("article", { name: "System message" }).filter({ hasText: "hello.txt" }).first().waitFor();
    await page.getByLabel(/This reply: \d+ input tokens/).first().waitFor();
    await page.locator(".conversation-header .usage").waitFor();
    await page.getByRole("button", { name: "Send" }).waitFor();
    await page.getByRole("heading", { name: "Write hello.txt" }).waitFor();
    await page.getByRole("link", { name: /Write hello\.txt/ }).waitFor();
    await page.screenshot({ path: join(repositoryRoot, "test-results/conversation.png") });
  });

  it("shows the same log after a reload", async () => {
    const before = await messageTexts();
    expect(before.length).toBeGreaterThanOrEqual(4);
    await page.reload();
    await assistantMessages().filter({ hasText: "Done: hello.txt" }).waitFor();
    await expect.poll(messageTexts).toEqual(before);
  });

  it("browses the workspace and previews the saved file", async () => {
    await page.getByRole("button", { name: "Workspace files" }).click();
    await page.getByRole("button", { name: /hello\.txt/ }).click();
    await page.getByRole("region", { name: "Preview of hello.txt" }).getByText("hello world").waitFor();
    await page.getByRole("button", { name: "Close workspace" }).click();
  });

  it("shows model output with HTML as text and never runs it", async () => {
    model.enqueue({ text: hostileReply });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Show me some HTML");
    await composer.press("Enter");
    const hostile = assistantMessages().filter({ hasText: "Careful:" });
    await hostile.waitFor();
    const text = await hostile.locator(".markdown").textContent();
    expect(text).toContain('<script>window.__pwned = 1; alert("script")</script>');
    expect(text).toContain('<img src=x onerror="window.__pwned = 2; alert(\'img\')">');
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await hostile.locator("script, img").count()).toBe(0);
    expect(watched.dialogs).toEqual([]);
  });

  it("stops a reply with Esc and keeps what was said so far", async () => {
    model.enqueue({ text: "Let me think about this at length", hang: true });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Take your time");
    await composer.press("Enter");
    await page.locator(".message-streaming").getByText("Let me think about this at length").waitFor();
    await page.keyboard.press("Escape");
    const stopped = assistantMessages().filter({ hasText: "Let me think about this at length" });
    await stopped.locator(".marker-interrupted").waitFor();
    expect(await stopped.locator(".markdown").textContent()).toBe("Let me think about this at length");
    await page.locator(".message-streaming").waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Send" }).waitFor();
  });

  it("renames the conversation, and the name survives a reload", async () => {
    await page.getByRole("button", { name: "Rename conversation" }).click();
    await page.getByLabel("Conversation name").fill("Hello file");
    await page.getByLabel("Conversation name").press("Enter");
    await page.getByRole("heading", { name: "Hello file" }).waitFor();
    await page.getByRole("link", { name: /Hello file/ }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Hello file" }).waitFor();
    await page.getByRole("link", { name: /Hello file/ }).waitFor();
  });

  it("deletes the conversation", async () => {
    const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    await page.getByRole("button", { name: "Delete conversation" }).click();
    await page.getByRole("button", { name: "Delete for good" }).click();
    await page.waitForURL(`${server.url}/`);
    await page.getByText("No conversations yet.").waitFor();
    expect((await stack.call(`/api/v2/conversations/${id}`)).status).toBe(404);
  });

  it("renders the API docs with the network limited to the server", async () => {
    const docs = await openPage(stack.browser);
    try {
      await docs.page.goto(`${server.url}/api/docs/`);
      await docs.page.locator(".swagger-ui .opblock").first().waitFor({ timeout: 15_000 });
      expect(await docs.page.locator(".swagger-ui .opblock").count()).toBeGreaterThan(10);
      expect(docs.blockedRequests).toEqual([]);
      expect(docs.errors).toEqual([]);
    } finally {
      await docs.context.close();
    }
  });

  it("pages through many conversations with the server's cursors and searches them", async () => {
    for (let index = 0; index < 120; index++) {
      const id = `bulk-${String(index).padStart(3, "0")}`;
      const response = await stack.call(`/api/v2/conversations/${id}`, { method: "PUT", json: { messages: [{ role: "user", content: `note ${index}` }] } });
      expect(response.status).toBe(200);
    }
    await page.goto(`${server.url}/`);
    const items = page.locator(".conversation-item");
    await expect.poll(() => items.count()).toBe(50);
    // Unnamed conversations are titled by their first user message, not their id.
    expect(await page.locator(".conversation-name").first().textContent()).toBe("note 119");
    await page.locator(".load-more").scrollIntoViewIfNeeded();
    await expect.poll(() => items.count()).toBeGreaterThanOrEqual(100);
    await page.locator(".load-more").scrollIntoViewIfNeeded();
    await expect.poll(() => items.count()).toBe(120);
    await page.getByLabel("Search conversations").fill("bulk-007");
    await expect.poll(() => page.locator(".conversation-name").allTextContents()).toEqual(["note 7"]);
  });

  it("finds a word from the middle of a conversation and shows the matching snippet", async () => {
    await stack.call("/api/v2/conversations/trip", { method: "PUT", json: { messages: [{ role: "user", content: "Plan a trip to Perth" }] } });
    await stack.call("/api/v2/conversations/trip", { method: "POST", json: { role: "assistant", content: "Day two: take the ferry to Rottnest Island." } });
    await stack.call("/api/v2/conversations/trip", { method: "POST", json: { role: "user", content: "thanks" } });
    await page.getByLabel("Search conversations").fill("ROTTNEST");
    await expect.poll(() => page.locator(".conversation-name").allTextContents()).toEqual(["Plan a trip to Perth"]);
    expect(await page.locator(".conversation-snippet").textContent()).toBe("Day two: take the ferry to Rottnest Island.");
    expect(await page.locator(".conversation-snippet mark").textContent()).toBe("Rottnest");
  });

  it("loaded everything from the server and logged no errors", () => {
    expect(watched.blockedRequests).toEqual([]);
    expect(watched.errors.filter((error) => !/Failed to load resource.*404/.test(error))).toEqual([]);
  });
});
