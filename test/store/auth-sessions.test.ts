import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type StoreUnderTest, storeBackends } from "../support/store-backends.js";

for (const backend of await storeBackends()) {
  describe(`auth sessions on ${backend.name}`, () => {
    let opened: StoreUnderTest;
    const sessions = () => opened.authSessions;
    beforeEach(async () => {
      opened = await backend.open();
    });
    afterEach(async () => {
      await opened.close();
    });

    it("verifies a session only under the token it was made with, until it is revoked", async () => {
      const id = await sessions().create("token-a", 3600);
      expect(id).toMatch(/^[\w-]{43}$/);
      expect(await sessions().verify(id, "token-a")).toBe(true);
      expect(await sessions().verify(id, "token-b")).toBe(false);
      expect(await sessions().verify(`${id}x`, "token-a")).toBe(false);
      expect(await sessions().verify("", "token-a")).toBe(false);
      await sessions().revoke(id);
      expect(await sessions().verify(id, "token-a")).toBe(false);
      await sessions().revoke("never-existed");
    });

    it("expires sessions and drops expired rows when a new one starts", async () => {
      const expired = await sessions().create("token", 0);
      expect(await sessions().verify(expired, "token")).toBe(false);
      const live = await sessions().create("token", 3600);
      expect(await sessions().verify(live, "token")).toBe(true);
      expect(await opened.sql("SELECT count(*) AS count FROM auth_sessions")).toEqual([{ count: 1 }]);
    });

    it("keeps neither the session id nor the token in the database", async () => {
      const id = await sessions().create("secret-token", 3600);
      const rows = await opened.sql<Record<string, unknown>>("SELECT * FROM auth_sessions");
      const stored = JSON.stringify(rows);
      expect(stored).not.toContain(id);
      expect(stored).not.toContain("secret-token");
    });

    it("keeps sessions in the database across a reopen, and shares them with another connection", async () => {
      const id = await sessions().create("token", 3600);
      const other = await opened.openAnother();
      expect(await other.authSessions.verify(id, "token")).toBe(true);
      await other.authSessions.revoke(id);
      expect(await sessions().verify(id, "token")).toBe(false);
      await other.close();
      const kept = await sessions().create("token", 3600);
      opened = await opened.reopen();
      expect(await sessions().verify(kept, "token")).toBe(true);
    });
  });
}
