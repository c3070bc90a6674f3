/**
 * The server's storage modes, as real processes: GPTME_DATABASE_URL runs it on PostgreSQL (data
 * kept across restarts, one server per database), and every configuration it cannot run with stops
 * it at once with one line and exit status 1.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StorageConfigurationError, storageMode } from "../../runtime/config/storage-mode.js";
import { postgresForTests, requirePostgres, skipPostgres } from "../support/postgres-for-tests.js";
import { createDatabase } from "../support/postgres-server.js";
import { exited, processAuth, type ServerProcess, startServerProcess } from "../support/server-process.js";

const availability = await postgresForTests();
let directory: string;
const running: ServerProcess[] = [];

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-pg-mode-"));
});
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill("SIGKILL");
    await exited(server.child);
  }
  rmSync(directory, { recursive: true, force: true });
});

describe("choosing the store from the environment", () => {
  it("keeps SQLite without a URL, takes PostgreSQL with one, and refuses what it cannot run", () => {
    expect(storageMode({}, "/data/gptme.db")).toEqual({ kind: "sqlite", path: "/data/gptme.db" });
    expect(storageMode({ GPTME_DATABASE_URL: " " }, "/data/gptme.db")).toEqual({ kind: "sqlite", path: "/data/gptme.db" });
    expect(storageMode({ GPTME_DATABASE_URL: "postgresql://u:p@db:5432/gptme" }, "/x.db")).toEqual({
      kind: "postgres",
      url: "postgresql://u:p@db:5432/gptme",
    });
    expect(storageMode({ GPTME_DATABASE_URL: "postgres://db/g", GPTME_NATS_URL: "nats://a:4222,nats://b:4222" }, "/x.db")).toEqual({
      kind: "replicated",
      url: "postgres://db/g",
      natsUrl: "nats://a:4222,nats://b:4222",
    });
    const refusals: Array<[NodeJS.ProcessEnv, boolean, RegExp]> = [
      [{ GPTME_NATS_URL: "nats://n:4222" }, false, /^GPTME_NATS_URL is set without GPTME_DATABASE_URL/],
      [{ GPTME_NATS_URL: "http://n:4222", GPTME_DATABASE_URL: "postgres://db/g" }, false, /^GPTME_NATS_URL must be a nats:\/\/ or tls:\/\/ URL, not http:\/\//],
      [{ GPTME_NATS_URL: "n 4222", GPTME_DATABASE_URL: "postgres://db/g" }, false, /^GPTME_NATS_URL is not a URL/],
      [{ GPTME_DATABASE_URL: "mysql://db/g" }, false, /^GPTME_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, not mysql:\/\//],
      [{ GPTME_DATABASE_URL: "db.example:5432" }, false, /GPTME_DATABASE_URL must be a postgres/],
      [{ GPTME_DATABASE_URL: "not a url" }, false, /^GPTME_DATABASE_URL is not a URL/],
      [{ GPTME_DATABASE_URL: "postgres://db/g" }, true, /^--db names a SQLite file, but GPTME_DATABASE_URL selects PostgreSQL/],
    ];
    for (const [env, dbFlag, message] of refusals) {
      expect(() => storageMode(env, "/x.db", dbFlag)).toThrow(message);
      expect(() => storageMode(env, "/x.db", dbFlag)).toThrow(StorageConfigurationError);
    }
  });

  const refusedAtStart: Array<[string, Record<string, string>, RegExp]> = [
    ["GPTME_NATS_URL alone", { GPTME_NATS_URL: "nats://127.0.0.1:4222" }, /GPTME_NATS_URL is set without GPTME_DATABASE_URL/],
    [
      "both URLs with a NATS URL that is not one",
      { GPTME_NATS_URL: "redis://127.0.0.1:4222", GPTME_DATABASE_URL: "postgres://127.0.0.1:1/gptme" },
      /GPTME_NATS_URL must be a nats:\/\/ or tls:\/\/ URL, not redis:\/\//,
    ],
    [
      "an unreachable PostgreSQL, its password kept out",
      { GPTME_DATABASE_URL: "postgres://gptme:hunter2@127.0.0.1:1/gptme" },
      /cannot open database postgres:\/\/gptme:\*\*\*@127\.0\.0\.1:1\/gptme: .*ECONNREFUSED/,
    ],
  ];
  for (const [name, env, message] of refusedAtStart) {
    it(`stops at once, in one line, with exit status 1: ${name}`, async () => {
      const error = await startServerProcess(directory, [], env).then(
        () => new Error("the server started"),
        (caught: unknown) => caught as Error,
      );
      const [first, output, ...rest] = error.message.split("\n");
      expect(first).toBe("server exited with 1:");
      expect(output).toMatch(new RegExp(`^gptme-server: ${message.source}`));
      expect(rest.join("")).toBe("");
      expect(error.message).not.toContain("hunter2");
    }, 120_000);
  }
});

describe.skipIf(skipPostgres(availability))("the server on PostgreSQL, on a real port", () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createDatabase(requirePostgres(availability), "gptme_server");
  });
  afterAll(async () => {
    await database.drop();
  });

  const start = async (home: string) => {
    const server = await startServerProcess(home, [], { GPTME_DATABASE_URL: database.url });
    running.push(server);
    return server;
  };
  const call = async (server: ServerProcess, path: string, init: { method?: string; json?: unknown } = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      method: init.method ?? "GET",
      headers: processAuth,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & Array<Record<string, unknown>> };
  };

  it("creates, appends, lists and searches, and finds it all again after a restart", async () => {
    let server = await start(directory);
    expect(server.output()).toMatch(/Database: postgres:\/\/postgres@127\.0\.0\.1:\d+\/gptme_server_/);
    const created = await call(server, "/api/v2/conversations/arctic", {
      method: "PUT",
      json: { messages: [{ role: "user", content: "Where does the narwhal live?", timestamp: "2025-01-01T00:00:00.000Z" }] },
    });
    expect(created.status).toBe(200);
    const appended = await call(server, "/api/v2/conversations/arctic", {
      method: "POST",
      json: { role: "assistant", content: "In the Arctic Ocean, mostly near Greenland.", metadata: { cost: 0.25, input_tokens: 7 } },
    });
    expect(appended.status).toBe(200);
    await call(server, "/api/v2/conversations/other", { method: "PUT", json: {} });

    const listed = await call(server, "/api/v2/conversations");
    expect(listed.body.map((item) => item.id)).toEqual(["other", "arctic"]);
    const found = await call(server, "/api/v2/conversations?q=OCEAN");
    expect(found.body.map((item) => item.id)).toEqual(["arctic"]);
    expect(found.body[0]!.search_snippet).toBe("In the Arctic Ocean, mostly near Greenland.");

    server.child.kill("SIGTERM");
    expect(await exited(server.child)).toBe(0);
    server = await start(directory);
    const again = await call(server, "/api/v2/conversations/arctic");
    expect((again.body.log as Array<{ content: string }>).slice(-2).map((message) => message.content)).toEqual([
      "Where does the narwhal live?",
      "In the Arctic Ocean, mostly near Greenland.",
    ]);
    expect((await call(server, "/api/v2/conversations?q=narwhal")).body.map((item) => item.id)).toEqual(["arctic"]);
    expect(existsSync(join(directory, "data", "gptme", "gptme.db"))).toBe(false);
  }, 180_000);

  it("lets one server use a database at a time: a second stops in one line, and starts once the first is gone", async () => {
    const first = await start(directory);
    await call(first, "/api/v2/conversations/kept", { method: "PUT", json: {} });
    const refused = await startServerProcess(directory, [], { GPTME_DATABASE_URL: database.url }).then(
      () => new Error("the second server started"),
      (caught: unknown) => caught as Error,
    );
    expect(refused.message).toMatch(
      /^server exited with 1:\ngptme-server: cannot open database postgres:\/\/\S+: another gptme-server is already using this database \(without GPTME_NATS_URL, one server process serves a database\)\n$/,
    );
    first.child.kill("SIGTERM");
    expect(await exited(first.child)).toBe(0);
    const second = await start(directory);
    expect((await call(second, "/api/v2/conversations/kept")).status).toBe(200);
  }, 180_000);
});
