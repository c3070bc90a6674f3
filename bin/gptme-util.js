#!/usr/bin/env node
import "../dist/adapters/cli/util-main.js";
