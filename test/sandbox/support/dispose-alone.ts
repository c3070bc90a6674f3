/**
 * Run as its own process by bwrap.test.ts: a sandbox used then disposed with nothing else keeping
 * Node's event loop alive. It must print "disposed" and exit 0 (an unsettled await exits 13).
 */
import { createSandboxManager } from "../../../runtime/sandbox/manager.js";
import { resolveSandboxSettings } from "../../../runtime/sandbox/settings.js";

const settings = resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: "bwrap" });
const manager = createSandboxManager({ settings, environment: process.env, secrets: [] });
const sandbox = manager.forConversation("alone", process.argv[2] ?? "/tmp");
const result = await sandbox.exec(["true"]);
await manager.disposeAll();
console.log(result.code === 0 && sandbox.disposed ? "disposed" : "not disposed");
