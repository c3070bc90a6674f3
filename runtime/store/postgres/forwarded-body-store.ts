/** Forwarded request bodies on PostgreSQL (see shared-replica-state.ts). */
import { randomUUID } from "node:crypto";
import type { ForwardedBodyStore } from "../shared-replica-state.js";
import type { Queryable } from "./database.js";

export class PostgresForwardedBodyStore implements ForwardedBodyStore {
  constructor(private readonly database: Queryable) {}

  async put(body: Uint8Array): Promise<string> {
    const id = randomUUID();
    await this.database.run({
      name: "forwarded-body-put",
      text: "INSERT INTO forwarded_bodies (id, body, created) VALUES ($1, $2, $3)",
      values: [id, Buffer.from(body.buffer, body.byteOffset, body.byteLength), Date.now() / 1000],
    });
    return id;
  }

  async get(id: string): Promise<Buffer | null> {
    const [row] = await this.database.rows<{ body: Buffer }>({ name: "forwarded-body-get", text: "SELECT body FROM forwarded_bodies WHERE id = $1", values: [id] });
    return row?.body ?? null;
  }

  async remove(id: string): Promise<void> {
    await this.database.run({ name: "forwarded-body-remove", text: "DELETE FROM forwarded_bodies WHERE id = $1", values: [id] });
  }

  removeOlderThan(before: number): Promise<number> {
    return this.database.run({ name: "forwarded-body-expire", text: "DELETE FROM forwarded_bodies WHERE created < $1", values: [before] });
  }
}
