#!/usr/bin/env node
import "../dist/adapters/node/main.js";
