/**
 * MCP in the bundled web UI, end to end: the real server with the everything MCP server configured
 * (stdio, in the conversation's sandbox), the fake model calling its elicitation tool, and headless
 * Chromium answering the server's question in the form and reading the servers panel.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mcpServers, serverToml } from "../support/mcp-servers.js";
import { hasChromium, openPage, repositoryRoot, type WatchedPage } from "./support/browser.js";
import { startStack, type Stack } from "./support/stack.js";

const token = "e2e-mcp-token";

describe.skipIf(!hasChromium)("MCP in the web UI", { timeout: 120_000 }, () => {
  let stack: Stack;
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    stack = await startStack(token);
    const configDirectory = join(stack.directory, "config", "gptme");
    mkdirSync(configDirectory, { recursive: true });
    writeFileSync(
      join(configDirectory, "config.toml"),
      // The server's code must be readable in the sandbox; the sandbox settings are read at start.
      `[sandbox]\nread_only = [${JSON.stringify(join(repositoryRoot, "node_modules"))}]\n\n[mcp]\nenabled = true\nauto_start = true\n\n${serverToml("everything", mcpServers.everything())}`,
    );
    await stack.restartServer();
    watched = await openPage(stack.browser);
    page = watched.page;
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("answers a server's question in a form, and shows the conversation's servers with their state", async () => {
    await page.goto(`${stack.server.url}/#token=${token}`);
    await page.getByText("What should we work on?").waitFor();
    stack.model.enqueue({ text: "Let me ask.\n\n```everything.trigger-elicitation-request\n{}\n```\n" }, { text: "Thanks, Ada." }, { text: "Ask the user" });
    const composer = page.getByLabel("Message", { exact: true });
    await composer.fill("Ask me something");
    await composer.press("Enter");

    const tool = page.getByRole("region", { name: /^Run .*everything\.trigger-elicitation-request/ });
    await tool.getByRole("button", { name: "Confirm" }).click({ timeout: 60_000 });

    const form = page.getByRole("region", { name: "MCP Server 'everything': Please provide inputs for the following fields:" });
    await form.waitFor({ timeout: 60_000 });
    await form.getByRole("textbox", { name: /^String \(Your full, legal name\)/ }).fill("Ada Lovelace");
    await form.getByRole("checkbox", { name: /^Boolean \(Agree to the terms/ }).check();
    await form.getByRole("button", { name: "Submit" }).click();
    await form.waitFor({ state: "detached" });
    await page.getByRole("article", { name: "Assistant message" }).filter({ hasText: "Thanks, Ada." }).waitFor({ timeout: 60_000 });
    const output = page.getByRole("article", { name: "System message" }).filter({ hasText: "Ada Lovelace" });
    await output.waitFor();
    expect(await output.textContent()).toMatch(/"check": true/);

    await page.getByRole("button", { name: "MCP servers" }).click();
    const server = page.getByRole("listitem", { name: "everything" });
    await server.waitFor();
    expect(await server.locator(".mcp-state").textContent()).toBe("running");
    expect(await server.textContent()).toContain("everything.echo");
    expect(await server.textContent()).toContain("Declared in your config");
    await page.screenshot({ path: join(repositoryRoot, "test-results/mcp-servers.png") });
    expect(watched.errors).toEqual([]);
    expect(watched.blockedRequests).toEqual([]);
  });
});
