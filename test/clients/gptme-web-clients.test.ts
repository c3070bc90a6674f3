/**
 * gptme's own browser clients against the real server, in Chromium. They are built from gptme's
 * sources by hand (never kept here), so these run only when pointed at a build:
 *
 *   GPTME_WEBUI_DIST=/tmp/webui-head/dist GPTME_WEBUI_ARCHIVED_DIST=/tmp/webui-archived/dist \
 *     npx vitest run test/clients/gptme-web-clients.test.ts
 *
 * GPTME_WEBUI_DIST: `npm ci && npm run build` in gptme's `webui/`; GPTME_WEBUI_ARCHIVED_DIST: the
 * same in a gptme-webui checkout.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { hasChromium, launchBrowser, openPage, type WatchedPage } from "../web/support/browser.js";
import { startRealServer, type RealServer } from "../web/support/real-server.js";
import { serveStatic } from "./static-server.js";

const headDist = process.env.GPTME_WEBUI_DIST;
const archivedDist = process.env.GPTME_WEBUI_ARCHIVED_DIST;
const token = "web-clients-token";

interface Stack {
  model: FakeModelServer;
  web: Awaited<ReturnType<typeof serveStatic>>;
  server: RealServer;
  browser: Browser;
  directory: string;
}

async function startStack(dist: string, env: Record<string, string> = {}): Promise<Stack> {
  const model = await startFakeModelServer();
  const web = await serveStatic(dist);
  const directory = mkdtempSync(join(tmpdir(), "gptme-clients-"));
  const workspace = join(directory, "workspace");
  mkdirSync(workspace, { recursive: true });
  const server = await startRealServer({
    directory,
    workspace,
    token,
    env: { OPENAI_BASE_URL: model.openaiBaseURL, MODEL: "local/fake", GPTME_CORS_ORIGIN: web.url, ...env },
  });
  return { model, web, server, browser: await launchBrowser(), directory };
}

async function stopStack(stack: Stack | undefined) {
  if (!stack) return;
  await stack.browser.close();
  await stack.server.stop();
  await stack.model.close();
  await stack.web.close();
  rmSync(stack.directory, { recursive: true, force: true });
}

/** Opens the client connected to the server; records every API answer. */
async function open(stack: Stack): Promise<WatchedPage & { answers: string[] }> {
  const watched = await openPage(stack.browser);
  const answers: string[] = [];
  watched.page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith("/api") && response.request().method() !== "OPTIONS") {
      answers.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
    }
  });
  await watched.page.goto(`${stack.web.url}/#baseUrl=${encodeURIComponent(stack.server.url)}&userToken=${token}`);
  return { ...watched, answers };
}

const answered = (answers: string[], pattern: RegExp) =>
  new Promise<string>((resolve, reject) => {
    const deadline = Date.now() + 90_000;
    const check = () => {
      const found = answers.find((answer) => pattern.test(answer));
      if (found) return resolve(found);
      if (Date.now() > deadline) return reject(new Error(`no answer matching ${pattern}; saw:\n${answers.join("\n")}`));
      setTimeout(check, 50);
    };
    check();
  });

/** A 1×1 PNG, for the image upload. */
const onePixelPng = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

const sidebar = (page: Page, name: string) => page.getByRole("link", { name }).or(page.getByRole("button", { name })).first();
const pageErrors = (watched: WatchedPage) => watched.errors.filter((error) => !error.includes("net::ERR_FAILED"));

describe.skipIf(!headDist || !hasChromium)("gptme's current web UI", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(headDist!);
  }, 120_000);
  afterAll(async () => {
    await stopStack(stack);
  });

  it("loads with every request answered, chats, and works its settings, tasks, admin, tools and history views", async () => {
    const client = await open(stack);
    const { page, answers } = client;
    await answered(answers, /^GET \/api\/v2\/conversations 200/);
    for (const route of ["/api/v2/tasks", "/api/v2/user/settings", "/api/v2/providers/health", "/api/v2/external-sessions", "/api/v2/models"]) {
      await answered(answers, new RegExp(`^GET ${route} 200`));
    }
    const started = page.getByRole("button", { name: /Start using gptme/ });
    if (await started.isVisible().catch(() => false)) await started.click();

    stack.model.enqueue({ text: "Running it.\n\n```shell\necho hi-from-tool\n```\n" }, { text: "The tool said hi." });
    const input = page.locator("textarea").first();
    await input.fill("Hello there");
    await input.press("Enter");
    await page.getByRole("button", { name: /^Execute/ }).first().click();
    await page.getByText("The tool said hi.").waitFor();

    await page.getByText("local/fake", { exact: true }).filter({ visible: true }).last().click();
    await page.getByRole("button", { name: "Add to favorites" }).first().click();
    await answered(answers, /^POST \/api\/v2\/user\/favorites 200/);
    await page.keyboard.press("Escape");

    await input.fill("/help");
    await input.press("Enter");
    await answered(answers, /^POST \/api\/v2\/conversations\/chat-[^/]+ 200/);

    await page.locator('button[aria-label="Functions"], button[title="Functions"]').first().click();
    await answered(answers, /^GET \/api\/v2\/tools 200/);
    await page.getByText("Executes shell commands.").first().waitFor();

    await page.getByRole("button", { name: "Settings" }).first().click();
    await page.getByRole("dialog").getByText("Servers", { exact: true }).filter({ visible: true }).first().click();
    await page.getByRole("dialog").getByText("Model & providers").click();
    await page.locator("#settings-api-key-provider").selectOption("openai");
    await page.locator("#settings-api-key-input").fill("sk-from-the-browser");
    await page.getByRole("button", { name: /Save API key/i }).click();
    await answered(answers, /^POST \/api\/v2\/user\/api-key 200/);
    await page.getByRole("button", { name: /Save default model/i }).click();
    await answered(answers, /^POST \/api\/v2\/user\/default-model 200/);
    await page.keyboard.press("Escape");

    await sidebar(page, "Tasks").click();
    await page.locator("button:has(svg.lucide-plus)").first().click();
    await page.getByRole("dialog").locator("textarea").first().fill("Write a haiku about SQLite");
    await page.getByRole("dialog").getByRole("button", { name: /create/i }).last().click();
    await answered(answers, /^POST \/api\/v2\/tasks 201/);
    await page.getByText("Task Details").waitFor();

    await sidebar(page, "Admin").click();
    await answered(answers, /^GET \/api\/v2\/server\/health 200/);
    await page.getByText("Server Health").waitFor();
    page.removeAllListeners("dialog");
    page.on("dialog", (dialog) => void dialog.accept());
    await page.locator('button[aria-label^="Kill session"]').first().click();
    await answered(answers, /^DELETE \/api\/v2\/sessions\/[^ ]+ 200/);

    await sidebar(page, "History").click();
    await page.getByText("Browse your past conversations").waitFor();

    expect(answers.filter((answer) => !/ (200|201|304)$/.test(answer))).toEqual([]);
    expect(pageErrors(client)).toEqual([]);
    await client.context.close();
  }, 240_000);

  it("uploads a file and an image to the model, runs, re-runs and skips a tool, edits, forks and deletes messages", async () => {
    stack.model.reset();
    const client = await open(stack);
    const { page, answers } = client;
    await answered(answers, /^GET \/api\/v2\/conversations 200/);
    const started = page.getByRole("button", { name: /Start using gptme/ });
    if (await started.isVisible().catch(() => false)) await started.click();

    await page.locator('input[type="file"][aria-label="Attach files"]').first().setInputFiles([
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("the-note-text") },
      { name: "dot.png", mimeType: "image/png", buffer: onePixelPng },
    ]);
    stack.model.enqueue({ text: "Running it.\n\n```shell\necho from-first\n```\n" }, { text: "First done." });
    const input = page.locator("textarea").first();
    await input.fill("Read the files");
    await input.press("Enter");
    await answered(answers, /^POST \/api\/v2\/conversations\/[^/]+\/workspace\/upload 200/);
    await page.getByRole("button", { name: /^Execute/ }).first().click();
    await page.getByText("First done.").waitFor();
    const sent = JSON.stringify(stack.model.requests.find((request) => JSON.stringify(request.body ?? null).includes("Read the files"))?.body);
    expect(sent).toContain("the-note-text");
    // local/fake has no vision, so the image reaches it as gptme's note (images for vision models: test/server/files-to-model).
    expect(sent).toContain("Model doesn't support viewing file: dot.png");

    expect(answers.filter((answer) => !/ (200|201|304)$/.test(answer))).toEqual([]);
    expect(pageErrors(client)).toEqual([]);
    await client.context.close();

    // Reopened from the list: a conversation made on this page keeps the client's placeholder log,
    // which lacks the system prompt, so its message indexes are off by one (with gptme's server too).
    const reopened = await open(stack);
    const later = reopened.page;
    await answered(reopened.answers, /^GET \/api\/v2\/conversations 200/);
    if (await later.getByRole("button", { name: /Start using gptme/ }).isVisible().catch(() => false)) {
      await later.getByRole("button", { name: /Start using gptme/ }).click();
    }
    await later.getByTestId("conversation-title").first().click();
    await later.getByText("First done.").waitFor();
    const hovered = async (text: string, button: string) => {
      await later.getByText(text, { exact: true }).first().hover();
      await later.getByRole("button", { name: button }).filter({ visible: true }).first().click();
    };

    stack.model.enqueue({ text: "After the skip." });
    await later.getByText("1 step", { exact: true }).click();
    await hovered("Running it.", "Re-run tools");
    await answered(reopened.answers, /^POST \/api\/v2\/conversations\/[^/]+\/rerun 200/);
    await later.getByRole("button", { name: "Skip" }).first().click();
    await answered(reopened.answers, /^POST \/api\/v2\/conversations\/[^/]+\/tool\/confirm 200/);

    await hovered("Read the files", "Edit message");
    await later.getByTestId("edit-input").fill("Read the files again");
    await later.getByRole("button", { name: "Save", exact: true }).click();
    await answered(reopened.answers, /^PATCH \/api\/v2\/conversations\/[^/]+\/messages\/\d+ 200/);
    // The client redraws the edited row only when the conversation is opened again (its replaceLog of
    // a log of the same length leaves the row as it was); the server's answer already holds the edit.
    await sidebar(later, "History").click();
    await later.getByText("Browse your past conversations").waitFor();
    await sidebar(later, "Chat").click();
    await later.getByTestId("conversation-title").first().click();
    await later.getByText("Read the files again").first().waitFor();

    const before = later.url();
    await hovered("Read the files again", "Fork from here");
    await answered(reopened.answers, /^POST \/api\/v2\/conversations\/[^/]+\/fork 200/);
    await later.waitForURL((url) => url.href !== before);

    later.removeAllListeners("dialog");
    later.on("dialog", (dialog) => void dialog.accept());
    await hovered("Read the files again", "Delete message");
    await answered(reopened.answers, /^DELETE \/api\/v2\/conversations\/[^/]+\/messages\/\d+ 200/);

    expect(reopened.answers.filter((answer) => !/ (200|201|304)$/.test(answer))).toEqual([]);
    expect(pageErrors(reopened)).toEqual([]);
    await reopened.context.close();
  }, 240_000);
});

describe.skipIf(!archivedDist || !hasChromium)("the archived gptme-webui", () => {
  let stack: Stack;
  afterAll(async () => {
    await stopStack(stack);
  });

  it("renders and works its tasks with GPTME_TASKS_LIST=array", async () => {
    stack = await startStack(archivedDist!, { GPTME_TASKS_LIST: "array" });
    const client = await open(stack);
    const { page, answers } = client;
    await page.getByText("How can I help you today?").waitFor();
    await page.goto(`${stack.web.url}/tasks`);
    await page.locator("button:has(svg.lucide-plus)").first().click();
    await page.getByRole("dialog").locator("textarea").first().fill("Archived client task");
    await page.getByRole("dialog").getByRole("button", { name: /create/i }).last().click();
    await answered(answers, /^POST \/api\/v2\/tasks 201/);
    await page.getByText("Archived client task").first().click();
    await page.getByText("Task Details").waitFor();
    expect(answers.filter((answer) => !/ (200|201|304)$/.test(answer))).toEqual([]);
    expect(pageErrors(client)).toEqual([]);
    await client.context.close();
  }, 240_000);
});
