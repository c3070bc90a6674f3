/**
 * The file operations every tool uses (run inside the sandbox), and the output area the server
 * reads directly on the host: a sandbox process controls what lies there, so planted symlinks,
 * FIFOs and odd names must not make the server read or write anything else.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostOutputArea } from "../../runtime/sandbox/host-output-area.js";
import { SandboxFileError } from "../../runtime/sandbox/types.js";
import { LOCAL_BACKENDS, testSandboxManager } from "../support/sandboxes.js";

let root: string;
beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "gptme-files-test-")));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(LOCAL_BACKENDS)("sandbox file operations (%s)", (backend) => {
  const sandbox = () => {
    const workspace = join(root, `${backend}-${Math.random().toString(16).slice(2)}`);
    mkdirSync(workspace);
    return { workspace, sandbox: testSandboxManager(backend).forConversation(workspace, workspace) };
  };
  const code = async (promise: Promise<unknown>) => promise.then(() => "ok", (error: unknown) => (error instanceof SandboxFileError ? error.code : String(error)));

  it("writes (creating folders), appends, reads and stats", async () => {
    const { workspace, sandbox: box } = sandbox();
    const file = join(workspace, "a", "b", "c.txt");
    expect(await box.files.write(file, "one\n")).toEqual({ existed: false, createdFolder: true });
    expect(await box.files.write(file, "two\n", { append: true })).toEqual({ existed: true, createdFolder: false });
    expect(readFileSync(file, "utf8")).toBe("one\ntwo\n");
    expect((await box.files.read(file, 100)).toString()).toBe("one\ntwo\n");
    expect(await box.files.stat(file)).toEqual({ type: "file", size: 8 });
    expect(await box.files.stat(join(workspace, "a"))).toEqual({ type: "directory", size: 0 });
    expect(await box.files.stat(join(workspace, "missing"))).toBeNull();
  });

  it("reports errors with codes the tools branch on", async () => {
    const { workspace, sandbox: box } = sandbox();
    writeFileSync(join(workspace, "big.txt"), "x".repeat(1000));
    expect(await code(box.files.read(join(workspace, "missing.txt"), 10))).toBe("ENOENT");
    expect(await code(box.files.read(workspace, 10))).toBe("EISDIR");
    expect(await code(box.files.read(join(workspace, "big.txt"), 999))).toBe("EFBIG");
    expect(await code(box.files.write(workspace, "x"))).toBe("EISDIR");
    expect(await code(box.files.write(join(workspace, "big.txt", "below"), "x"))).toBe("ENOTDIR");
    expect(await code(box.files.list(join(workspace, "big.txt")))).toBe("ENOTDIR");
  });

  it("lists every name, dotfiles and odd characters included", async () => {
    const { workspace, sandbox: box } = sandbox();
    for (const name of [".hidden", "..dots", "with space", "new\nline", "-dash"]) writeFileSync(join(workspace, name), "");
    mkdirSync(join(workspace, "folder"));
    const entries = await box.files.list(workspace);
    expect(entries.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      ["-dash", "..dots", ".hidden", "folder", "new\nline", "with space"]
        .sort((a, b) => a.localeCompare(b))
        .map((name) => ({ name, directory: name === "folder" })),
    );
  });

  it("resolves a symlink in the sandbox's view: outside the workspace it reaches nothing of the host (bwrap)", async () => {
    const { workspace, sandbox: box } = sandbox();
    const secret = join(root, `secret-${backend}.txt`);
    writeFileSync(secret, "HOST SECRET");
    symlinkSync(secret, join(workspace, "link"));
    const read = box.files.read(join(workspace, "link"), 100).then((bytes) => bytes.toString());
    if (backend === "bwrap") expect(await code(read)).toBe("ENOENT");
    else expect(await read).toBe("HOST SECRET");
  });
});

describe("the output area on the host", () => {
  const area = () => {
    const directory = mkdtempSync(join(root, "outputs-"));
    return { directory, area: new HostOutputArea(directory, "/tmp/gptme-outputs") };
  };

  it("reads and writes by name, and names the inside path", async () => {
    const { area: outputs } = area();
    expect(await outputs.write("a.txt", "hello world")).toBe("/tmp/gptme-outputs/a.txt");
    expect(await outputs.size("a.txt")).toBe(11);
    expect((await outputs.read("a.txt", 6, 100)).toString()).toBe("world");
    await outputs.truncate("a.txt", 5);
    expect((await outputs.read("a.txt", 0, 100)).toString()).toBe("hello");
    await outputs.remove("a.txt");
    expect(await outputs.size("a.txt")).toBe(0);
  });

  it("never follows a symlink planted where an output is expected", async () => {
    const { directory, area: outputs } = area();
    const secret = join(root, "area-secret.txt");
    writeFileSync(secret, "HOST SECRET");
    symlinkSync(secret, join(directory, "shell-out.txt"));
    expect(await outputs.size("shell-out.txt")).toBe(0);
    expect((await outputs.read("shell-out.txt", 0, 100)).length).toBe(0);
    await outputs.truncate("shell-out.txt", 0);
    await expect(outputs.write("shell-out.txt", "overwrite")).rejects.toThrow(/EEXIST/);
    expect(readFileSync(secret, "utf8")).toBe("HOST SECRET");
  });

  it("is not hung by a FIFO planted in place of an output", async () => {
    const { directory, area: outputs } = area();
    execFileSync("mkfifo", [join(directory, "fifo.txt")]);
    expect(await outputs.size("fifo.txt")).toBe(0);
    expect((await outputs.read("fifo.txt", 0, 100)).length).toBe(0);
  });

  it("refuses names that would leave the directory", async () => {
    const { area: outputs } = area();
    expect(() => outputs.path("../escape.txt")).toThrow("Invalid output file name: ../escape.txt");
    await expect(outputs.write("..", "x")).rejects.toThrow(/Invalid output file name/);
  });
});
