#!/usr/bin/env node
/**
 * Builds the web client (web/) into dist/web/: minified ES2020 bundles with content-hashed names,
 * so the server can cache assets for a year and only index.html must be revalidated.
 * Usage: node scripts/build-web.mjs [--out dist/web]
 */
import { build } from "esbuild";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outIndex = process.argv.indexOf("--out");
const finalDirectory = resolve(root, outIndex > 0 ? process.argv[outIndex + 1] : "dist/web");
// Built beside the target and swapped in at the end, so a running server never sees a half-written build.
const outDirectory = `${finalDirectory}.staging-${process.pid}`;
// The app and the common highlight.js grammars; other grammars are chunks loaded on demand.
const firstViewBudget = 90 * 1024;

await rm(outDirectory, { recursive: true, force: true });
await mkdir(outDirectory, { recursive: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: ["web/main.tsx"],
  outdir: join(outDirectory, "assets"),
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  assetNames: "[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  jsx: "automatic",
  jsxImportSource: "preact",
  metafile: true,
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, output]) => output.entryPoint === "web/main.tsx");
if (!entry) throw new Error("esbuild produced no entry bundle");
const [entryPath, entryOutput] = entry;
const publicPath = (path) => `/${relative(outDirectory, resolve(root, path)).split("\\").join("/")}`;
const styles = entryOutput.cssBundle ? [entryOutput.cssBundle] : [];

const template = await readFile(join(root, "web/index.html"), "utf8");
const html = template
  .replace("<!--styles-->", styles.map((path) => `<link rel="stylesheet" href="${publicPath(path)}" />`).join("\n    "))
  .replace("<!--scripts-->", `<script type="module" src="${publicPath(entryPath)}"></script>`);
await writeFile(join(outDirectory, "index.html"), html);

/** What the first view downloads: the entry, the chunks it imports statically, and its CSS. */
function firstViewFiles(path, seen = new Set()) {
  if (seen.has(path)) return seen;
  seen.add(path);
  for (const imported of result.metafile.outputs[path]?.imports ?? []) {
    if (imported.kind === "import-statement") firstViewFiles(imported.path, seen);
  }
  return seen;
}

const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
let firstViewJavaScript = 0;
const report = [];
for (const path of [...firstViewFiles(entryPath), ...styles]) {
  const bytes = await readFile(resolve(root, path));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  if (path.endsWith(".js")) firstViewJavaScript += gzipped;
  report.push(`  ${basename(path).padEnd(28)} ${kilobytes(bytes.length).padStart(9)}  ${kilobytes(gzipped).padStart(9)} gzipped`);
}

const firstView = firstViewFiles(entryPath);
let onDemandBytes = 0;
let onDemandChunks = 0;
for (const [path] of outputs) {
  if (!path.endsWith(".js") || firstView.has(path)) continue;
  onDemandChunks += 1;
  onDemandBytes += gzipSync(await readFile(resolve(root, path)), { level: 9 }).length;
}

await rm(finalDirectory, { recursive: true, force: true });
await rename(outDirectory, finalDirectory);
console.log(`Built web client into ${relative(root, finalDirectory) || "."}/`);
console.log(report.join("\n"));
console.log(`First-view JavaScript: ${kilobytes(firstViewJavaScript)} gzipped (budget ${kilobytes(firstViewBudget)})`);
console.log(`Loaded on demand: ${onDemandChunks} chunks (syntax grammars), ${kilobytes(onDemandBytes)} gzipped in all`);
if (firstViewJavaScript > firstViewBudget) {
  console.error("First-view JavaScript is over budget.");
  process.exitCode = 1;
}
