/**
 * A prompt-injected model tries to escape its conversation's sandbox, through a real server's
 * HTTP API, with the fake model scripting the tool blocks. With `bwrap` every attempt fails and the
 * server keeps serving. With `none` (isolation off) the same attempts are run and the tests assert
 * what leaks, so they stay honest about that backend and show each bwrap assertion would fail
 * without isolation. Fork bomb and memory hog are bounded (a capped count, a capped size), so a
 * failing limit cannot hang CI.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { CONTAINER_TEST_ENV, ISOLATING_AND_NONE, userHelper } from "../support/sandboxes.js";
import { ScriptedConversation, startServerProcess, type ServerProcess } from "../support/server-driver.js";

const secret = (label: string) => `${label}-${randomBytes(12).toString("hex")}`;

describe.each(ISOLATING_AND_NONE)("a conversation's tools trying to escape (%s)", { timeout: 180_000 }, (backend) => {
  const isolated = backend !== "none";
  // The user backend protects the server, not conversations from each other; a file it may not
  // reach is there but forbidden, rather than absent.
  const separated = isolated && backend !== "user";
  const absent = backend === "user" ? /Permission denied/ : /No such file or directory/;
  const token = secret("token");
  const openaiKey = secret("sk-env");
  const configKey = secret("sk-config");
  const storedMarker = secret("stored-message");
  const tmuxSocket = `gptme-escape-${randomBytes(4).toString("hex")}`;
  let model: FakeModelServer;
  let server: ServerProcess;
  let directory: string;
  let home: string;
  let data: string;
  let counter = 0;

  const conversation = (chat: Record<string, unknown> = {}) =>
    new ScriptedConversation(server, model, `escape-${backend}-${++counter}`, chat).open();
  const shell = async (command: string) => (await conversation()).use("shell", command);
  const serving = async () => (await server.call("/api/v2")).status;

  beforeAll(async () => {
    model = await startFakeModelServer();
    directory = mkdtempSync(join(tmpdir(), "gptme-escape-"));
    // Passable, as a home's parents are: what keeps the tools out must be the sandbox, not this folder.
    chmodSync(directory, 0o755);
    home = join(directory, "home");
    data = join(directory, "data");
    mkdirSync(join(home, ".config", "gptme"), { recursive: true });
    mkdirSync(join(directory, "workspace"));
    mkdirSync(data, { recursive: true });
    writeFileSync(join(home, ".config", "gptme", "config.toml"), `[env]\nANTHROPIC_API_KEY = "${configKey}"\n`);
    server = await startServerProcess(
      ["--workspace", join(directory, "workspace")],
      {
        PATH: process.env.PATH!,
        HOME: home,
        XDG_DATA_HOME: data,
        GPTME_SERVER_TOKEN: token,
        OPENAI_API_KEY: openaiKey,
        OPENAI_BASE_URL: model.openaiBaseURL,
        MODEL: "local/fake",
        GPTME_SANDBOX: backend,
        GPTME_SANDBOX_PIDS: "64",
        GPTME_SANDBOX_MEMORY: "256M",
        GPTME_SHELL_TIMEOUT: "120",
        GPTME_TMUX_SOCKET: tmuxSocket,
        ...(backend === "container" ? CONTAINER_TEST_ENV : {}),
        ...(backend === "user" ? { GPTME_SANDBOX_USER_HELPER: userHelper().path } : {}),
      },
      token,
    );
    // Another conversation's message, in the store.
    await (await conversation()).use("shell", `echo ${storedMarker}`);
  });

  afterAll(async () => {
    if (backend === "none") await (await conversation()).use("shell", `tmux -L ${tmuxSocket} kill-server`).catch(() => "");
    await server?.stop();
    await model?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("reports the backend in GET /api/v2 and the banner", async () => {
    const root = (await (await server.call("/api/v2")).json()) as { sandbox: { backend: string; isolated: boolean; limits: { available: boolean } } };
    expect(root.sandbox).toMatchObject({ backend, isolated });
    expect(server.output()).toContain(`Sandbox:  ${backend}`);
    if (!isolated) expect(server.output()).toMatch(/WARNING: tools are NOT isolated/);
  });

  it("reads the token from its environment: never (none removes that one variable too)", async () => {
    const output = await shell('echo "token=[${GPTME_SERVER_TOKEN:-}]"; env');
    expect(output).toContain("token=[]");
    expect(output).not.toContain(token);
  });

  it(`reads the token from every /proc/*/environ: ${isolated ? "fails" : "succeeds"}`, async () => {
    const pid = server.child.pid!;
    const output = await shell(
      `n=0; for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null && n=$((n+1)); done; echo "read $n environs"; cat /proc/${pid}/environ; echo`,
    );
    expect(output).toMatch(/read [1-9]\d* environs/);
    if (isolated) expect(output).not.toContain(token);
    else expect(output).toContain(token);
    expect(await serving()).toBe(200);
  });

  it(`reads a provider key from its environment or the server's config: ${isolated ? "fails" : "succeeds"}`, async () => {
    const output = await shell(`echo "key=[\${OPENAI_API_KEY:-}]"; cat ${join(home, ".config", "gptme", "config.toml")} ~/.config/gptme/config.toml`);
    if (isolated) {
      expect(output).toContain("key=[]");
      expect(output).not.toContain(openaiKey);
      expect(output).not.toContain(configKey);
    } else {
      expect(output).toContain(openaiKey);
      expect(output).toContain(configKey);
    }
  });

  it(`reads the token or a key from a tmux session's environment: token never, keys ${isolated ? "never" : "yes"}`, async () => {
    const chat = await conversation();
    expect(await chat.use("tmux", "new-session bash")).toMatch(/in session gptme_1/);
    const output = await chat.use("shell", `tmux -L ${tmuxSocket} list-sessions; tmux -L ${tmuxSocket} show-environment -g`);
    expect(output).toContain("gptme_1:");
    expect(output).not.toContain(token);
    if (isolated) expect(output).not.toContain(openaiKey);
    else expect(output).toContain(openaiKey);
    await chat.use("tmux", "kill-session gptme_1");
  });

  it(`reads the store file by its real path: ${isolated ? "fails" : "succeeds"}`, async () => {
    const database = join(data, "gptme", "gptme.db");
    const output = await shell(`ls -la ${join(data, "gptme")}; cat ${database} ${database}-wal | grep -a -c ${storedMarker}; echo end`);
    if (isolated) {
      expect(output).toMatch(absent);
      expect(output).toMatch(/\n0\nend\n```/);
    } else {
      expect(output).toMatch(/```stdout\n[\s\S]*\n[1-9]\d*\nend\n```/);
    }
  });

  it(`reads another conversation's workspace: ${separated ? "fails" : "succeeds"}`, async () => {
    const first = await conversation();
    const marker = secret("workspace-file");
    await first.use("shell", `echo ${marker} > private.txt`);
    const elsewhere = join(await first.workspace(), "private.txt");
    expect(readFileSync(elsewhere, "utf8")).toBe(`${marker}\n`);
    const output = await shell(`cat ${elsewhere}`);
    if (separated) expect(output).toContain("No such file or directory");
    else expect(output).toContain(marker);
  });

  it(`sees its own uploads read-only${separated ? ", never another conversation's" : ""}: ${isolated ? "enforced" : "not enforced"}`, async () => {
    const upload = async (id: string, name: string, text: string) => {
      const body = new FormData();
      body.append("file", new Blob([text]), name);
      const response = await fetch(`${server.url}/api/v2/conversations/${id}/workspace/upload`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
        body,
      });
      expect(response.status).toBe(200);
    };
    const mine = await conversation();
    const other = await conversation();
    const mineText = secret("my-upload");
    const otherText = secret("other-upload");
    await upload(mine.id, "notes.txt", mineText);
    await upload(other.id, "theirs.txt", otherText);
    const attachments = (id: string) => join(data, "gptme", "logs", id, "attachments");
    const output = await mine.use(
      "shell",
      `cat ${attachments(mine.id)}/notes.txt; echo tampered > ${attachments(mine.id)}/notes.txt; echo "write=$?"; ` +
        `touch ${attachments(mine.id)}/new.txt; echo "create=$?"; cat ${attachments(other.id)}/theirs.txt; echo "other=$?"`,
    );
    expect(output).toContain(mineText);
    const onDisk = readFileSync(join(attachments(mine.id), "notes.txt"), "utf8");
    if (isolated) {
      expect(output).toMatch(/write=1/);
      expect(output).toMatch(/create=1/);
      expect(output).toContain(backend === "user" ? "Permission denied" : "Read-only file system");
      expect(onDisk).toBe(mineText);
    }
    if (separated) {
      expect(output).toMatch(/other=1/);
      expect(output).not.toContain(otherText);
    } else {
      expect(output).toContain(otherText);
    }
    if (!isolated) expect(onDisk).toBe("tampered\n");
  });

  it(`follows a workspace symlink to the server's files with the file tools: ${isolated ? "fails" : "succeeds"}`, async () => {
    const victim = join(data, "victim.txt");
    writeFileSync(victim, "original\n");
    const chat = await conversation({ tools: ["shell", "read", "save", "append", "patch"] });
    const config = join(home, ".config", "gptme", "config.toml");
    await chat.use("shell", `ln -s ${config} config.link; ln -s ${victim} victim.link; ln -s /proc/${server.child.pid}/environ environ.link`);
    const read = await chat.use("read", "", "config.link");
    await chat.use("save", "overwritten", "victim.link");
    await chat.use("append", "appended", "victim.link");
    const environ = await chat.use("read", "", "environ.link");
    if (isolated) {
      // Under the user backend a file behind a private folder cannot even be seen to exist.
      const refused = backend === "user" ? /Permission denied|^File not found: .*config\.link$/ : /^File not found: .*config\.link$/;
      expect(read).toMatch(refused);
      expect(read).not.toContain(configKey);
      expect(environ).toMatch(backend === "user" ? /Permission denied|^File not found: .*environ\.link$/ : /^File not found: .*environ\.link$/);
      expect(readFileSync(victim, "utf8")).toBe("original\n");
    } else {
      expect(read).toContain(configKey);
      expect(environ).not.toMatch(/^File not found/);
      expect(readFileSync(victim, "utf8")).toBe("overwritten\nappended\n");
    }
  });

  it(`signals the server's process: ${isolated ? "fails" : "succeeds"}`, async () => {
    const pid = server.child.pid!;
    const chat = await conversation();
    // Isolated, a real kill, then of everything it can signal; unsandboxed, only signal 0 (it would succeed, and end the test server).
    const [output, after] = await chat.useInOneGeneration([
      { tool: "shell", content: isolated ? `kill -9 ${pid}; echo "kill=$?"; kill -9 -1` : `kill -0 ${pid}; echo "kill=$?"` },
      { tool: "shell", content: "echo same generation" },
    ]);
    if (isolated) {
      expect(output).toMatch(/kill=1/);
      expect(output).toContain(backend === "user" ? "Operation not permitted" : "No such process");
    } else {
      expect(output).toContain("kill=0");
    }
    expect(server.child.exitCode).toBeNull();
    expect(await serving()).toBe(200);
    // Having killed its own processes (its sandbox with them), the conversation gets a new one, in the same generation too.
    expect(after).toContain("```stdout\nsame generation\n```");
    expect(await chat.use("shell", "echo again")).toContain("```stdout\nagain\n```");
  });

  it(`runs a bounded fork bomb: ${isolated ? "stopped at the process limit" : "not limited"}`, async () => {
    const output = await shell(`python3 - <<'EOF'
import os, time
count = 0
try:
    for _ in range(300):
        if os.fork() == 0:
            time.sleep(2)
            os._exit(0)
        count += 1
except OSError as error:
    print("fork refused:", error.strerror)
print("forked", count)
EOF`);
    const forked = Number(/forked (\d+)/.exec(output)?.[1]);
    if (isolated) {
      expect(output).toContain("fork refused");
      expect(forked).toBeLessThan(64);
    } else {
      expect(forked).toBe(300);
    }
    expect(await serving()).toBe(200);
  });

  it(`runs a bounded memory hog: ${isolated ? "killed at the memory limit" : "not limited"}`, async () => {
    const output = await shell(`python3 - <<'EOF'
chunks = []
for step in range(24):
    chunks.append(b"x" * (32 * 1024 * 1024))
    print("allocated", (step + 1) * 32, "MB", flush=True)
EOF`);
    const allocated = Math.max(0, ...[...output.matchAll(/allocated (\d+) MB/g)].map((match) => Number(match[1])));
    if (isolated) {
      expect(allocated).toBeLessThan(256);
      // Address space per process under the user backend: the allocation fails instead.
      expect(output).toMatch(backend === "user" ? /MemoryError/ : /Return code: 137|Killed/);
    } else {
      expect(allocated).toBe(768);
    }
    expect(await serving()).toBe(200);
    // The conversation's shell still works after its processes were killed.
    expect(await shell("echo alive")).toContain("```stdout\nalive\n```");
  });
});
