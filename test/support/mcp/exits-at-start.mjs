#!/usr/bin/env node
// An MCP server that cannot start: it says why on stderr and exits before answering anything.
process.stderr.write("loading settings from /nonexistent/settings.json\n");
process.stderr.write("fatal: cannot open /nonexistent/settings.json\n");
process.exit(3);
