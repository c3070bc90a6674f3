/** A database that cannot be opened stops the server at once, with one line naming the file. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteConversationStore } from "../../runtime/store/sqlite/sqlite-store.js";
import { startServerProcess } from "../support/server-process.js";

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "gptme-db-"));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe("a database that cannot be opened", () => {
  it.skipIf(!existsSync("/proc/self"))("--db /proc/nope/gptme.db: the server exits 1 with one line instead of hanging", async () => {
    await expect(startServerProcess(directory, ["--db", "/proc/nope/gptme.db"])).rejects.toThrow(
      /^server exited with 1:\ngptme-server: cannot open database \/proc\/nope\/gptme\.db: cannot create the folder \/proc\/nope \(ENOENT\)\n$/,
    );
  }, 180_000);

  it("names the file and SQLite's reason: a folder, a file that is not a database", () => {
    expect(() => SqliteConversationStore.open(directory)).toThrow(`cannot open database ${directory}: unable to open database file`);
    const notADatabase = join(directory, "notes.txt");
    writeFileSync(notADatabase, "these are not the pages you are looking for ".repeat(200));
    expect(() => SqliteConversationStore.open(notADatabase)).toThrow(`cannot open database ${notADatabase}: file is not a database`);
  });

  it("still creates missing folders on the way to a new database", async () => {
    const store = SqliteConversationStore.open(join(directory, "a", "b", "gptme.db"));
    expect(existsSync(join(directory, "a", "b", "gptme.db"))).toBe(true);
    await store.close();
  });
});
