#!/bin/sh
# An MCP server that never answers: it reads nothing and says so on stderr, then waits forever.
echo "waiting for a licence server that never answers" >&2
exec sleep 3600
