/**
 * stdio MCP servers started inside the conversation's sandbox, as its tools are: the system
 * read-only, the workspace, the sandbox's own environment plus the server's `env`, never the
 * server's token, data directory or another conversation's workspace. The sandbox is looked up
 * at every start, so a server restarted after the sandbox was replaced (a new workspace, a dead
 * sandbox) runs in the new one. While the server runs the sandbox counts as busy, so its idle
 * removal waits for the MCP idle stop instead of killing a server mid-conversation.
 */
import type { Sandbox } from "../sandbox/types.js";
import type { ProcessSpawner, SpawnedProcess } from "./process-spawner.js";

export function sandboxSpawner(sandboxOf: () => Sandbox): ProcessSpawner {
  return async (argv, options): Promise<SpawnedProcess> => {
    const sandbox = sandboxOf();
    const release = sandbox.hold();
    let child;
    try {
      child = await sandbox.spawn(argv, { cwd: options.cwd, env: options.serverEnv });
    } catch (error) {
      release();
      throw error;
    }
    const exited = child.exited.then((exit) => {
      release();
      return { code: exit.code, signal: exit.signal };
    });
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      kill(signal = "SIGTERM") {
        void child.kill(signal).catch(() => false);
      },
    };
  };
}
