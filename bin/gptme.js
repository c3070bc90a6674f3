#!/usr/bin/env node
import "../dist/adapters/cli/main.js";
