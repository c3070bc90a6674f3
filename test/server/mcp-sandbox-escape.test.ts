/**
 * A stdio MCP server is code the user configured, but what it does is driven by the model: the
 * filesystem server allowed `/` reads whatever the model names. Through a real server process, the
 * model asks it for the server's token (in `/proc/<server>/environ`), the user's config with its
 * keys, and another conversation's workspace. With `bwrap` every read fails; with `none`
 * (isolation off) the same reads are made and the test asserts they leak, so each bwrap assertion
 * is shown to fail without the sandbox.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { mcpServers, serverToml } from "../support/mcp-servers.js";
import { LOCAL_BACKENDS } from "../support/sandboxes.js";
import { ScriptedConversation, startServerProcess, type ServerProcess } from "../support/server-driver.js";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const secret = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;

describe.each(LOCAL_BACKENDS)("an MCP server driven by the model trying to escape (%s)", { timeout: 120_000 }, (backend) => {
  const isolated = backend === "bwrap";
  const token = secret("token");
  const configKey = secret("sk-config");
  let model: FakeModelServer;
  let server: ServerProcess;
  let directory: string;
  let counter = 0;

  const conversation = () => new ScriptedConversation(server, model, `mcp-escape-${backend}-${++counter}`).open();
  const read = async (path: string) => (await conversation()).use("files.read_text_file", JSON.stringify({ path }));

  beforeAll(async () => {
    model = await startFakeModelServer();
    directory = mkdtempSync(join(tmpdir(), "gptme-mcp-escape-"));
    const home = join(directory, "home");
    mkdirSync(join(home, ".config", "gptme"), { recursive: true });
    mkdirSync(join(directory, "workspace"));
    writeFileSync(
      join(home, ".config", "gptme", "config.toml"),
      [
        `[env]\nANTHROPIC_API_KEY = "${configKey}"\n`,
        `[sandbox]\nread_only = [${JSON.stringify(join(root, "node_modules"))}]\n`,
        "[mcp]\nenabled = true\nauto_start = true\n",
        serverToml("files", mcpServers.filesystem("/")),
      ].join("\n"),
    );
    server = await startServerProcess(
      ["--workspace", join(directory, "workspace")],
      {
        PATH: process.env.PATH!,
        HOME: home,
        XDG_DATA_HOME: join(directory, "data"),
        GPTME_SERVER_TOKEN: token,
        OPENAI_BASE_URL: model.openaiBaseURL,
        MODEL: "local/fake",
        GPTME_SANDBOX: backend,
      },
      token,
    );
  });

  afterAll(async () => {
    await server?.stop();
    await model?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("reads its own conversation's workspace (the server works in the sandbox)", async () => {
    const chat = await conversation();
    const marker = secret("own-file");
    await chat.use("save", marker, "mine.txt");
    expect(await chat.use("files.read_text_file", JSON.stringify({ path: join(await chat.workspace(), "mine.txt") }))).toBe(marker);
  });

  it(`reads the server's token from its /proc environ: ${isolated ? "fails" : "succeeds"}`, async () => {
    const output = await read(`/proc/${server.child.pid}/environ`);
    if (isolated) {
      expect(output).not.toContain(token);
      expect(output).toMatch(/^Error: ENOENT/); // the server answered: it is the sandbox that hides the file
    } else expect(output).toContain(token);
  });

  it(`reads the user's config with its keys: ${isolated ? "fails" : "succeeds"}`, async () => {
    const output = await read(join(directory, "home", ".config", "gptme", "config.toml"));
    if (isolated) expect(output).not.toContain(configKey);
    else expect(output).toContain(configKey);
  });

  it(`reads another conversation's workspace: ${isolated ? "fails" : "succeeds"}`, async () => {
    const other = await conversation();
    const marker = secret("workspace-file");
    await other.use("save", marker, "private.txt");
    const output = await read(join(await other.workspace(), "private.txt"));
    if (isolated) {
      expect(output).not.toContain(marker);
      expect(output).toMatch(/^Error: ENOENT/);
    } else expect(output).toContain(marker);
  });
});
