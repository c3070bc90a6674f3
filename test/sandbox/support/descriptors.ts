/**
 * Run as its own process by bwrap.test.ts, with an extra inherited descriptor (7, as a supervisor's
 * pipe would be): prints the descriptors a sandboxed command holds, one number a line.
 */
import { createSandboxManager } from "../../../runtime/sandbox/manager.js";
import { resolveSandboxSettings } from "../../../runtime/sandbox/settings.js";

const settings = resolveSandboxSettings({ env: {}, configPath: null, defaultBackend: "bwrap" });
const manager = createSandboxManager({ settings, environment: process.env, secrets: [] });
const sandbox = manager.forConversation("descriptors", process.argv[2] ?? "/tmp");
const result = await sandbox.exec(["sh", "-c", "ls /proc/self/fd"]);
await manager.disposeAll();
console.log(result.stdout.toString("utf8").trim());
