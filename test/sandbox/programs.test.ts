/**
 * Programs are checked in the sandbox's view, not on the server's PATH: a program only the server
 * can reach (a PATH entry under its temp dir or home) is neither listed to the model nor counted
 * for a tool's availability, and what is listed really runs inside.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createToolRegistry } from "../../runtime/tools/registry.js";
import { LOCAL_BACKENDS, testSandboxManager } from "../support/sandboxes.js";

const directory = mkdtempSync(join(tmpdir(), "gptme-programs-"));
const hidden = join(directory, "bin");
mkdirSync(hidden);
// Named as programs the shell tool lists (ast-grep) and the tmux tool needs.
for (const name of ["ast-grep", "gptme-only-on-host"]) {
  writeFileSync(join(hidden, name), "#!/bin/sh\necho ran\n");
  chmodSync(join(hidden, name), 0o755);
}
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe.each(LOCAL_BACKENDS)("programs in the sandbox's view (%s)", (backend) => {
  const isolated = backend === "bwrap";

  it(`${isolated ? "does not find" : "finds"} a program on a PATH entry the sandbox cannot see`, async () => {
    const env = { ...process.env, PATH: `${hidden}:/usr/local/bin:/usr/bin:/bin` };
    const manager = testSandboxManager(backend, { environment: env });
    expect(manager.hasProgram("gptme-only-on-host")).toBe(!isolated);
    expect(manager.hasProgram("bash")).toBe(true);
    const workspace = join(directory, "workspace");
    mkdirSync(workspace, { recursive: true });
    const sandbox = manager.forConversation("programs", workspace);
    const result = await sandbox.exec(["sh", "-c", "gptme-only-on-host"]);
    expect(result.code === 0).toBe(!isolated);
    const shell = createToolRegistry({ tools: ["shell"] }).get("shell")!;
    if (isolated) expect(shell.instructions).not.toContain("- ast-grep");
    else expect(shell.instructions).toContain("- ast-grep");
  });

  it("offers tmux only when the sandbox has it", () => {
    const noTmux = join(directory, "no-tmux");
    mkdirSync(noTmux, { recursive: true });
    const manager = testSandboxManager(backend, { environment: { ...process.env, PATH: noTmux } });
    expect(manager.hasProgram("tmux")).toBe(false);
    expect(createToolRegistry({ tools: ["shell", "tmux"] }).all().map((tool) => tool.name)).toEqual(["shell"]);
  });
});
