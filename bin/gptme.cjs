#!/usr/bin/env node
// CommonJS on purpose: `gptme --version` answers before Node starts its ES module loader, which
// alone costs about a fifth of a bare `node -e 0`. Everything else is the ES module CLI.
"use strict";
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === "--version") {
  process.stdout.write(`gptme v${require("../package.json").version}\n`);
} else {
  import("../dist/adapters/cli/main.js").catch((error) => {
    process.stderr.write(`gptme: cannot start: ${error && error.message ? error.message : error} (run npm run build?)\n`);
    process.exitCode = 1;
  });
}
