#!/usr/bin/env node
// The bundled server (scripts/build-server.mjs): one file per lazily loaded part, for a fast start.
import "../dist/server/main.mjs";
