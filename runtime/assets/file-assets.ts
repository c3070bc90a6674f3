/** Serves swagger-ui-dist and the built web UI from disk, cached in memory after the first read. */
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import type { Asset, AssetSource } from "../runtime.js";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const docsFiles = new Set([
  "swagger-ui.css",
  "swagger-ui-bundle.js",
  "swagger-ui-standalone-preset.js",
  "favicon-16x16.png",
  "favicon-32x32.png",
]);

function swaggerDirectory(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("swagger-ui-dist/package.json"));
}

async function readAsset(root: string, relative: string, immutable: boolean): Promise<Asset | null> {
  const path = normalize(join(root, relative));
  if (!path.startsWith(root + sep)) return null;
  try {
    if (!(await stat(path)).isFile()) return null;
    const body = new Uint8Array(await readFile(path));
    return { body, contentType: contentTypes[extname(path)] ?? "application/octet-stream", immutable };
  } catch {
    return null;
  }
}

export function createFileAssets(webRoot: string): AssetSource {
  const cache = new Map<string, Asset | null>();
  let docsRoot: string | undefined;
  const cached = async (key: string, load: () => Promise<Asset | null>) => {
    if (cache.has(key)) return cache.get(key) ?? null;
    const asset = await load();
    if (asset) cache.set(key, asset);
    return asset;
  };
  return {
    docs(name) {
      if (!docsFiles.has(name)) return Promise.resolve(null);
      docsRoot ??= swaggerDirectory();
      return cached(`docs:${name}`, () => readAsset(docsRoot!, name, false));
    },
    web(path) {
      const immutable = path.startsWith("assets/");
      return cached(`web:${path}`, () => readAsset(webRoot, path, immutable));
    },
  };
}
