/**
 * Screenshots of the web UI's main views (desktop and phone) in headless Chromium, against the
 * scripted stand-in API the browser tests use: for looking at the UI, and for the README's image.
 * Usage: node --import tsx scripts/screenshots.ts [--out DIR] [--readme docs/screenshot.png]
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildWebClient, launchBrowser, openPage } from "../test/web/support/browser.js";
import { startMockApi, type MockConversation } from "../test/web/support/mock-api-server.js";

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const outDirectory = resolve(argument("--out") ?? ".tmp/screenshots");
const readmeImage = argument("--readme");
mkdirSync(outDirectory, { recursive: true });

const at = (minute: number) => `2026-11-30T11:${String(minute).padStart(2, "0")}:00Z`;
const reply =
  "Here is a small parser for the log format. It keeps the timestamp and level and skips malformed lines:\n\n" +
  "```rust\nuse std::str::FromStr;\n\n#[derive(Debug)]\nstruct Entry {\n    level: String,\n    message: String,\n}\n\n" +
  "fn parse(line: &str) -> Option<Entry> {\n    // \"LEVEL: message\"\n    let (level, message) = line.split_once(\": \")?;\n" +
  "    Some(Entry { level: level.to_string(), message: message.trim().to_string() })\n}\n```\n\n" +
  "Let me run the tests to check it:\n\n```shell\ncargo test --quiet\n```";
const conversations: MockConversation[] = [
  {
    id: "chat-2026-11-30T11-02-10-000Z",
    name: "Rust log parser",
    modified: Date.now() / 1000 - 60,
    model: "anthropic/claude-sonnet-4-5",
    log: [
      { role: "system", content: "You are gptme.", timestamp: at(2), hide: true },
      { role: "user", content: "Write a parser for our `LEVEL: message` log lines in Rust, with a test.", timestamp: at(2) },
      {
        role: "assistant",
        content: reply,
        timestamp: at(3),
        metadata: { model: "anthropic/claude-sonnet-4-5", input_tokens: 2480, output_tokens: 212, cost: 0.0106 },
      },
    ],
  },
  {
    id: "chat-2026-11-30T10-41-55-120Z",
    name: "chat-2026-11-30T10-41-55-120Z",
    modified: Date.now() / 1000 - 3600,
    model: "local/llama3",
    log: [
      { role: "user", content: "Why does my SQL query on the orders table take 4 seconds?", timestamp: at(1) },
      { role: "assistant", content: "It scans the whole table: add an index on `customer_id`. [INTERRUPTED]", timestamp: at(1), metadata: { model: "local/llama3", input_tokens: 900, output_tokens: 40, cost: 0 } },
    ],
  },
  {
    id: "chat-2026-11-29T16-12-00-000Z",
    name: "Deploy script review",
    modified: Date.now() / 1000 - 86400,
    model: "openai/gpt-4o",
    log: [{ role: "user", content: "Review deploy.sh for mistakes", timestamp: at(0) }],
  },
];

const webRoot = buildWebClient(".tmp/web-screenshots");
const api = await startMockApi({ webRoot, conversations });
const browser = await launchBrowser();
const shots: string[] = [];
try {
  for (const [name, viewport] of [
    ["desktop", { width: 1280, height: 800 }],
    ["phone", { width: 390, height: 844 }],
  ] as const) {
    const watched = await openPage(browser, { viewport, deviceScaleFactor: 1, hasTouch: name === "phone", isMobile: name === "phone" });
    const page = watched.page;
    await page.goto(`${api.url}/chat/${conversations[0]!.id}#token=${api.token}`);
    await page.getByText("Here is a small parser").waitFor();
    api.publish(conversations[0]!.id, {
      type: "tool_pending",
      tool_id: `tool-${name}`,
      tooluse: { tool: "shell", args: [], content: "cargo test --quiet" },
      auto_confirm: false,
      preview: "cargo test --quiet",
    });
    await page.getByRole("region", { name: /Run the command above/ }).waitFor();
    await page.waitForTimeout(300);
    const path = join(outDirectory, `${name}-conversation.png`);
    await page.screenshot({ path });
    shots.push(path);
    await page.goto(`${api.url}/chat/${conversations[1]!.id}`);
    await page.getByText("It scans the whole table").waitFor();
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(outDirectory, `${name}-interrupted.png`) });
    if (name === "phone") {
      await page.getByRole("button", { name: "Open conversation list" }).click();
      await page.getByLabel("Search conversations").fill("index");
      await page.locator(".conversation-snippet").first().waitFor();
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(outDirectory, "phone-search.png") });
    } else {
      await page.getByLabel("Search conversations").fill("index");
      await page.locator(".conversation-snippet").first().waitFor();
      await page.screenshot({ path: join(outDirectory, "desktop-search.png") });
    }
    if (watched.errors.length) console.error(watched.errors.join("\n"));
    await watched.context.close();
  }
  const dark = await openPage(browser, { viewport: { width: 1280, height: 800 }, colorScheme: "dark" });
  await dark.page.goto(`${api.url}/chat/${conversations[0]!.id}#token=${api.token}`);
  await dark.page.getByText("Here is a small parser").waitFor();
  await dark.page.screenshot({ path: join(outDirectory, "desktop-dark.png") });
  await dark.context.close();
  if (readmeImage) {
    // Desktop and phone side by side, scaled down, as one small PNG.
    const sheet = await openPage(browser, { viewport: { width: 1100, height: 560 } });
    const images = await Promise.all(shots.map(async (path) => `data:image/png;base64,${(await import("node:fs")).readFileSync(path).toString("base64")}`));
    await sheet.page.setContent(
      `<body style="margin:0;display:flex;gap:16px;align-items:flex-start;padding:12px;background:#d9dce3">` +
        `<img src="${images[0]}" style="width:820px;border-radius:6px;box-shadow:0 2px 8px #0003">` +
        `<img src="${images[1]}" style="width:240px;border-radius:6px;box-shadow:0 2px 8px #0003"></body>`,
    );
    await sheet.page.screenshot({ path: resolve(readmeImage), clip: { x: 0, y: 0, width: 1100, height: 548 } });
    await sheet.context.close();
  }
  console.log(`Screenshots in ${outDirectory}`);
} finally {
  await browser.close();
  await api.close();
}
