/**
 * Live updates survive trouble, end to end: a cut connection resumes through Last-Event-ID without
 * repeating streamed text, and a server restart (sessions lost) is recovered with a new session.
 */
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, openPage, type WatchedPage } from "./support/browser.js";
import { startCuttableProxy, type CuttableProxy } from "./support/cuttable-proxy.js";
import { startStack, type Stack } from "./support/stack.js";

const token = "e2e-reconnect-token";
const words = Array.from({ length: 60 }, (_, index) => `word${index}`).join(" ");

describe.skipIf(!hasChromium)("web client reconnects against the real server", () => {
  let stack: Stack;
  let proxy: CuttableProxy;
  let watched: WatchedPage;
  let page: Page;
  const eventRequests: Request[] = [];

  beforeAll(async () => {
    stack = await startStack(token);
    proxy = await startCuttableProxy(new URL(stack.server.url));
    const created = await stack.call("/api/v2/conversations/chat-reconnect", {
      method: "PUT",
      json: { messages: [{ role: "user", content: "Count for me", timestamp: new Date().toISOString() }], config: { chat: { name: "Reconnect" } } },
    });
    expect(created.status).toBe(200);
    watched = await openPage(stack.browser);
    page = watched.page;
    page.on("request", (request) => {
      if (request.url().includes("/events")) eventRequests.push(request);
    });
    await page.goto(`${proxy.url}/chat/chat-reconnect#token=${token}`);
    await page.getByText("Count for me").waitFor();
  });

  afterAll(async () => {
    await proxy?.close();
    await stack?.stop();
  });

  const assistantMessages = () => page.getByRole("article", { name: "Assistant message" });

  it("resumes a stream cut mid-reply without repeating or losing text", async () => {
    stack.model.enqueue({ text: words, chunkSize: 6, delayMs: 40 });
    await page.evaluate(() => {
      const samples: string[] = [];
      (window as unknown as { streamSamples: string[] }).streamSamples = samples;
      new MutationObserver(() => {
        const text = document.querySelector(".message-streaming .markdown")?.textContent;
        if (text) samples.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Go");
    await composer.press("Enter");
    await expect.poll(() => page.locator(".message-streaming .markdown").textContent().catch(() => ""), { timeout: 10_000 }).toMatch(/word5 /);
    const connectionsBefore = eventRequests.length;
    proxy.cut();
    await page.getByText("Connection lost, reconnecting…").waitFor();
    await assistantMessages().filter({ hasText: "word59" }).waitFor({ timeout: 20_000 });

    expect(await assistantMessages().filter({ hasText: "word59" }).locator(".markdown").textContent()).toBe(words);
    const samples = await page.evaluate(() => (window as unknown as { streamSamples: string[] }).streamSamples);
    expect(samples.length).toBeGreaterThan(3);
    for (const sample of samples) expect(words.startsWith(sample), `streamed text ${JSON.stringify(sample)}`).toBe(true);
    const resumed = eventRequests.slice(connectionsBefore);
    expect(resumed.length).toBeGreaterThanOrEqual(1);
    const resumedFrom = new URL(resumed[0].url()).searchParams;
    expect(resumedFrom.get("session_id")).toBeTruthy();
    expect(Number(resumedFrom.get("last_event_id"))).toBeGreaterThan(0);
    await page.getByText("Connection lost, reconnecting…").waitFor({ state: "hidden" });
  });

  it("recovers from a server restart with a new session and keeps working", async () => {
    await stack.restartServer();
    await stack.call("/api/v2/conversations/chat-reconnect", { method: "POST", json: { role: "assistant", content: "Noted while you were away." } });
    await assistantMessages().filter({ hasText: "Noted while you were away." }).waitFor({ timeout: 20_000 });
    stack.model.enqueue({ text: "Back online." });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Still there?");
    await composer.press("Enter");
    await assistantMessages().filter({ hasText: "Back online." }).waitFor({ timeout: 10_000 });
    expect(await assistantMessages().filter({ hasText: "word59" }).count()).toBe(1);
  });

  it("stayed on the server's origin and logged no errors", () => {
    expect(watched.blockedRequests).toEqual([]);
    expect(watched.errors.filter((error) => !/Failed to load resource|ERR_CONNECTION|net::/.test(error))).toEqual([]);
  });
});
