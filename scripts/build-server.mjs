#!/usr/bin/env node
/**
 * Bundles the server (adapters/node/main.ts) into dist/server/: one ES module per lazily loaded
 * part instead of ~350 files, which is most of what a cold start spends (resolving, reading and
 * compiling modules). Native and optional engines stay in node_modules (better-sqlite3, pg,
 * dockerode). The CLI is not bundled: it runs from tsc's output, which starts fast enough.
 * Usage: node scripts/build-server.mjs
 */
import { build } from "esbuild";
import { rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "server");

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "adapters/node/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunk-[hash]",
  external: ["better-sqlite3", "pg", "pg-native", "dockerode", "cpu-features", "ssh2"],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  // Whitespace and syntax only: names stay readable in a stack trace, and the smaller source is
  // most of the gain (V8's cost at start grows with the characters it scans).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
});
