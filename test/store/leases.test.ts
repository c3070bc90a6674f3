/**
 * Leases with fencing tokens and live session ids, in PostgreSQL (what replicas share). Expiry is
 * made certain with a lifetime of 0 (expired at once) or an hour (live throughout), never by
 * waiting for a clock.
 */
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LeaseLostError } from "../../runtime/store/leases.js";
import { holdFence } from "../../runtime/store/postgres/lease-store.js";
import type { PostgresStorage } from "../../runtime/store/postgres/postgres-storage.js";
import type { ChatConfig, Message } from "../../runtime/store/types.js";
import { type StoreUnderTest, postgresBackendOnly } from "../support/store-backends.js";

const hour = 3_600_000;
const config: ChatConfig = { chat: {}, env: {} };
const user = (content: string): Message => ({ role: "user", content, timestamp: "2025-01-01T00:00:00.000Z" });

for (const backend of await postgresBackendOnly()) {
  describe("leases on PostgreSQL", () => {
    let one: StoreUnderTest;
    let two: StoreUnderTest;
    const a = () => one.postgres as PostgresStorage;
    const b = () => two.postgres as PostgresStorage;
    beforeEach(async () => {
      one = await backend.open();
      two = await one.openAnother();
    });
    afterEach(async () => {
      await two.close();
      await one.close();
    });

    it("acquires a free lease once, renews and releases it only under its token, with ever larger tokens", async () => {
      const first = await a().leases.acquire("conversation:c", "replica-a", hour);
      expect(first).toMatchObject({ name: "conversation:c", holder: "replica-a" });
      expect(first!.expires).toBeGreaterThan(Date.now() + hour / 2);
      expect(await b().leases.acquire("conversation:c", "replica-b", hour)).toBeNull();
      expect(await b().leases.get("conversation:c")).toEqual(first);

      const renewed = await a().leases.renew(first!, 2 * hour);
      expect(renewed).toMatchObject({ token: first!.token, holder: "replica-a" });
      expect(renewed!.expires).toBeGreaterThan(first!.expires);
      expect(await a().leases.renew({ name: "conversation:c", token: first!.token + 1 }, hour)).toBeNull();
      expect(await a().leases.release({ name: "conversation:c", token: first!.token + 1 })).toBe(false);
      expect(await a().leases.release(first!)).toBe(true);
      expect(await a().leases.get("conversation:c")).toBeNull();

      const second = await b().leases.acquire("conversation:c", "replica-b", hour);
      const elsewhere = await a().leases.acquire("conversation:d", "replica-a", hour);
      expect(second!.token).toBeGreaterThan(first!.token);
      expect(elsewhere!.token).toBeGreaterThan(second!.token);
      expect(await a().leases.renew(first!, hour)).toBeNull();
    });

    it("gives a free lease to exactly one of many concurrent acquirers", async () => {
      for (let round = 0; round < 10; round++) {
        const name = `conversation:race-${round}`;
        const grants = await Promise.all(
          Array.from({ length: 6 }, (_, index) => (index % 2 === 0 ? a() : b()).leases.acquire(name, `replica-${index}`, hour)),
        );
        const winners = grants.filter((grant) => grant !== null);
        expect(winners).toHaveLength(1);
        expect(await a().leases.get(name)).toEqual(winners[0]);
      }
    });

    it("never takes a live lease over, even one past nothing but its acquire", async () => {
      await a().leases.acquire("conversation:c", "replica-a", hour);
      expect(await b().leases.takeover("conversation:c", "replica-b", hour)).toBeNull();
      expect(await b().leases.takeover("conversation:none", "replica-b", hour)).toBeNull();
      expect(await b().leases.expired("conversation:")).toEqual([]);
    });

    it("lets exactly one survivor take an expired lease over, and tells it whose it was", async () => {
      const dead = await a().leases.acquire("conversation:c", "replica-a", 0);
      // Still held (nobody took it), even though expired: acquire does not steal.
      expect(await b().leases.acquire("conversation:c", "replica-b", hour)).toBeNull();
      expect(await b().leases.expired("conversation:")).toEqual([dead]);
      expect(await b().leases.expired("session:")).toEqual([]);
      const takeovers = await Promise.all(
        Array.from({ length: 6 }, (_, index) => (index % 2 === 0 ? a() : b()).leases.takeover("conversation:c", `survivor-${index}`, hour)),
      );
      const winners = takeovers.filter((takeover) => takeover !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.previous).toEqual(dead);
      expect(winners[0]!.lease.token).toBeGreaterThan(dead!.token);
      expect(await a().leases.expired("conversation:")).toEqual([]);
    });

    it("refuses every write of a writer whose lease was taken over, and keeps the new holder's", async () => {
      await one.store.create({ id: "c", config, workspace: "/w", messages: [user("start")] });
      const old = (await a().leases.acquire("conversation:c", "replica-a", 0))!;
      // Through the storage's shared state, as the server sees it.
      const { conversations: oldWriter, drafts: oldDrafts } = a().shared!.fenced(old);
      await oldWriter.append("c", [user("while still the holder")]);
      await oldDrafts.save({ conversationId: "c", branch: "main", position: 2, content: "half", model: "m", updated: "t" });

      const { lease } = (await b().leases.takeover("conversation:c", "replica-b", hour))!;
      const newWriter = b().conversations.fenced(lease);
      const before = await one.store.changeToken();
      const refused = [
        () => oldWriter.append("c", [user("too late")]),
        () => oldWriter.replaceMessages("c", []),
        () => oldWriter.rename("c", "stolen"),
        () => oldWriter.updateConfig("c", { chat: { name: "stolen" }, env: {} }),
        () => oldWriter.delete("c"),
        () => oldWriter.create({ id: "new", config, workspace: "/w", messages: [] }),
        () => oldDrafts.save({ conversationId: "c", branch: "main", position: 2, content: "half and more", model: "m", updated: "t" }),
        () => oldDrafts.take("c"),
      ];
      for (const attempt of refused) await expect(attempt()).rejects.toBeInstanceOf(LeaseLostError);
      expect(await one.store.changeToken()).toBe(before);
      expect((await one.store.messages("c")).map((message) => message.content)).toEqual(["start", "while still the holder"]);
      expect(await one.store.get("new")).toBeNull();
      expect((await one.store.get("c"))!.name).toBe("c");
      expect(await a().leases.renew(old, hour)).toBeNull();
      expect(await a().leases.release(old)).toBe(false);

      expect((await newWriter.drafts.take("c"))!.content).toBe("half");
      await newWriter.append("c", [{ role: "assistant", content: "half [INTERRUPTED]", timestamp: "t" }]);
      expect(await one.store.messages("c")).toHaveLength(3);
    });

    it("makes a takeover wait for a fenced write in flight, which lands whole before it", async () => {
      await one.store.create({ id: "c", config, workspace: "/w", messages: [] });
      const old = (await a().leases.acquire("conversation:c", "replica-a", 0))!;
      // A fenced write in the middle of its transaction: it has proved its lease and not yet committed.
      const url = (a().database.pool as unknown as { options: { connectionString: string } }).options.connectionString;
      const writer = new pg.Client({ connectionString: url });
      await writer.connect();
      try {
        await writer.query("BEGIN");
        const inTransaction = {
          rows: async <Row>(statement: { text: string; values?: unknown[] }) => (await writer.query(statement.text, statement.values)).rows as Row[],
          run: async (statement: { text: string; values?: unknown[] }) => (await writer.query(statement.text, statement.values)).rowCount ?? 0,
        };
        await holdFence(inTransaction, old);
        await writer.query(
          "INSERT INTO messages (conversation_id, branch, position, role, content, timestamp) VALUES ('c', 'main', 0, 'user', 'in flight', 't')",
        );
        const takeover = b().leases.takeover("conversation:c", "replica-b", hour);
        const waiting = async () => {
          for (;;) {
            const rows = await one.sql<{ waiting: number }>(
              "SELECT count(*) AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE leases SET holder%'",
            );
            if (rows[0]!.waiting > 0) return;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        };
        await waiting();
        await writer.query("COMMIT");
        const taken = await takeover;
        expect(taken!.previous.token).toBe(old.token);
        expect((await one.store.messages("c")).map((message) => message.content)).toEqual(["in flight"]);
        await expect(a().conversations.fenced(old).append("c", [user("after")])).rejects.toBeInstanceOf(LeaseLostError);
      } finally {
        await writer.end();
      }
    });
  });

  describe("live session ids on PostgreSQL", () => {
    let one: StoreUnderTest;
    let two: StoreUnderTest;
    const a = () => one.postgres as PostgresStorage;
    const b = () => two.postgres as PostgresStorage;
    beforeEach(async () => {
      one = await backend.open();
      two = await one.openAnother();
      await one.store.create({ id: "c", config, workspace: "/w", messages: [] });
      await one.store.create({ id: "d", config, workspace: "/w", messages: [] });
    });
    afterEach(async () => {
      await two.close();
      await one.close();
    });

    it("are seen by every replica, carry their auto-confirm budget, and go with their conversation", async () => {
      await a().sessionIds.add({ id: "s1", conversationId: "c", autoConfirm: Number.POSITIVE_INFINITY });
      await a().sessionIds.add({ id: "s2", conversationId: "c", autoConfirm: 3 });
      await a().sessionIds.add({ id: "s3", conversationId: "d", autoConfirm: 0 });
      const seen = await b().sessionIds.use("s1");
      expect(seen).toMatchObject({ id: "s1", conversationId: "c", autoConfirm: Number.POSITIVE_INFINITY });
      expect(seen!.lastUsed).toBeGreaterThanOrEqual(seen!.created);
      expect((await b().sessionIds.ofConversation("c")).map((session) => [session.id, session.autoConfirm])).toEqual([
        ["s1", Number.POSITIVE_INFINITY],
        ["s2", 3],
      ]);
      expect(await b().sessionIds.use("unknown")).toBeNull();
      await expect(a().sessionIds.add({ id: "s1", conversationId: "d", autoConfirm: 0 })).rejects.toThrow(/already exists/);
      await expect(a().sessionIds.add({ id: "s9", conversationId: "missing", autoConfirm: 0 })).rejects.toThrow(/not found/);

      await one.store.delete("c");
      expect(await b().sessionIds.use("s1")).toBeNull();
      expect(await b().sessionIds.ofConversation("c")).toEqual([]);
      await b().sessionIds.forgetConversation("d");
      expect(await a().sessionIds.use("s3")).toBeNull();
    });

    it("forgets the sessions idle since a time", async () => {
      await a().sessionIds.add({ id: "old", conversationId: "c", autoConfirm: 0 });
      await one.sql("UPDATE live_sessions SET last_used = 100 WHERE id = 'old'");
      await a().sessionIds.add({ id: "fresh", conversationId: "c", autoConfirm: 0 });
      expect(await b().sessionIds.forgetIdle(1000)).toBe(1);
      expect((await a().sessionIds.ofConversation("c")).map((session) => session.id)).toEqual(["fresh"]);
    });
  });
}
