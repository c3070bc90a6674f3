/** Headless Debian Chromium through playwright-core, with the network cut off beyond this machine. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(chromiumPath);
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
}

const loopback = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Requests the browser tried outside loopback (all aborted). */
  blockedRequests: string[];
  /** Uncaught page errors and console errors. */
  errors: string[];
  /** Any alert/confirm/prompt the page opened (dismissed). */
  dialogs: string[];
}

export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, ...options });
  const watched: WatchedPage = { context, page: await context.newPage(), blockedRequests: [], errors: [], dialogs: [] };
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === "data:" || url.protocol === "blob:" || loopback.has(url.hostname)) return route.continue();
    watched.blockedRequests.push(url.href);
    return route.abort();
  });
  watched.page.on("pageerror", (error) => watched.errors.push(`pageerror: ${error.message}`));
  watched.page.on("console", (message) => {
    if (message.type() === "error") watched.errors.push(`console: ${message.text()}`);
  });
  watched.page.on("dialog", (dialog) => {
    watched.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return watched;
}

/** Builds the web client into `outDirectory` (relative to the repository), returning its absolute path. */
export function buildWebClient(outDirectory: string): string {
  execFileSync(process.execPath, [join(repositoryRoot, "scripts/build-web.mjs"), "--out", outDirectory], {
    cwd: repositoryRoot,
    stdio: "pipe",
  });
  return resolve(repositoryRoot, outDirectory);
}

function newestSourceTime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceTime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function packageBuildIsFresh(): boolean {
  const index = join(repositoryRoot, "dist/web/index.html");
  if (!existsSync(index)) return false;
  const sources = Math.max(newestSourceTime(join(repositoryRoot, "web")), statSync(join(repositoryRoot, "scripts/build-web.mjs")).mtimeMs);
  return statSync(index).mtimeMs > sources;
}

/**
 * Builds the package's dist/web (what the real server serves) unless it is newer than the sources.
 * Test files run in parallel, so a directory lock makes the others wait instead of rebuilding underneath.
 */
export async function ensurePackageWebBuild(): Promise<void> {
  const lock = join(repositoryRoot, ".tmp/web-build.lock");
  mkdirSync(join(repositoryRoot, ".tmp"), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (attempt > 600) throw new Error(`${lock} is held for over a minute; remove it if no build is running`);
      await delay(100);
    }
  }
  try {
    if (!packageBuildIsFresh()) buildWebClient("dist/web");
  } finally {
    rmdirSync(lock);
  }
}
