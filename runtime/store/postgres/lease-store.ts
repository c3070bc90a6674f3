/**
 * Leases on PostgreSQL. Time is the database's (`clock_timestamp()`), so replicas' clocks never
 * disagree about expiry; tokens come from one sequence, so every acquire or takeover gets a token
 * larger than any before it. A fenced write (see `holdFence`) locks its lease row FOR SHARE in the
 * write's own transaction: a takeover waits for that write to commit, and once a takeover has
 * committed the old token no longer matches, so nothing of the old holder's lands after it.
 */
import type { Lease, LeaseFence, LeaseStore } from "../leases.js";
import { LeaseLostError } from "../leases.js";
import type { Queryable } from "./database.js";

interface LeaseRow {
  name: string;
  holder: string;
  token: number;
  expires: number;
}

const leaseColumns = (table: string) =>
  `${table}.name, ${table}.holder, ${table}.token, (extract(epoch FROM ${table}.expires) * 1000)::float8 AS expires`;

const expiresIn = (parameter: string) => `clock_timestamp() + ${parameter}::float8 * interval '1 millisecond'`;

const toLease = (row: LeaseRow): Lease => ({ name: row.name, holder: row.holder, token: row.token, expires: row.expires });

/** In a write's transaction: proves the fence still holds its lease and keeps it held until commit. */
export async function holdFence(database: Queryable, fence: LeaseFence): Promise<void> {
  const rows = await database.rows({
    name: "lease-fence",
    text: "SELECT 1 FROM leases WHERE name = $1 AND token = $2 FOR SHARE",
    values: [fence.name, fence.token],
  });
  if (rows.length === 0) throw new LeaseLostError(fence);
}

export class PostgresLeaseStore implements LeaseStore {
  constructor(private readonly database: Queryable) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    const [row] = await this.database.rows<LeaseRow>({
      name: "lease-acquire",
      text: `INSERT INTO leases AS lease (name, holder, token, expires) VALUES ($1, $2, nextval('lease_tokens'), ${expiresIn("$3")})
             ON CONFLICT (name) DO NOTHING RETURNING ${leaseColumns("lease")}`,
      values: [name, holder, ttlMs],
    });
    return row ? toLease(row) : null;
  }

  async takeover(name: string, holder: string, ttlMs: number): Promise<{ lease: Lease; previous: Lease } | null> {
    const [row] = await this.database.rows<LeaseRow & { previous_holder: string; previous_token: number; previous_expires: number }>({
      name: "lease-takeover",
      text: `WITH previous AS (
               SELECT name, holder, token, expires FROM leases WHERE name = $1 AND expires <= clock_timestamp() FOR UPDATE
             )
             UPDATE leases SET holder = $2, token = nextval('lease_tokens'), expires = ${expiresIn("$3")}
             FROM previous WHERE leases.name = previous.name AND leases.expires <= clock_timestamp()
             RETURNING ${leaseColumns("leases")}, previous.holder AS previous_holder, previous.token AS previous_token,
               (extract(epoch FROM previous.expires) * 1000)::float8 AS previous_expires`,
      values: [name, holder, ttlMs],
    });
    if (!row) return null;
    return {
      lease: toLease(row),
      previous: { name: row.name, holder: row.previous_holder, token: row.previous_token, expires: row.previous_expires },
    };
  }

  async renew(lease: LeaseFence, ttlMs: number): Promise<Lease | null> {
    const [row] = await this.database.rows<LeaseRow>({
      name: "lease-renew",
      text: `UPDATE leases SET expires = ${expiresIn("$3")} WHERE name = $1 AND token = $2 RETURNING ${leaseColumns("leases")}`,
      values: [lease.name, lease.token, ttlMs],
    });
    return row ? toLease(row) : null;
  }

  async release(lease: LeaseFence): Promise<boolean> {
    const removed = await this.database.run({
      name: "lease-release",
      text: "DELETE FROM leases WHERE name = $1 AND token = $2",
      values: [lease.name, lease.token],
    });
    return removed > 0;
  }

  async get(name: string): Promise<Lease | null> {
    const [row] = await this.database.rows<LeaseRow>({
      name: "lease-get",
      text: `SELECT ${leaseColumns("leases")} FROM leases WHERE name = $1`,
      values: [name],
    });
    return row ? toLease(row) : null;
  }

  async expired(prefix: string): Promise<Lease[]> {
    const rows = await this.database.rows<LeaseRow>({
      name: "lease-expired",
      text: `SELECT ${leaseColumns("leases")} FROM leases WHERE expires <= clock_timestamp() AND starts_with(name, $1) ORDER BY expires, name`,
      values: [prefix],
    });
    return rows.map(toLease);
  }
}
