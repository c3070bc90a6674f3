/**
 * Leases with fencing tokens: who may write a conversation while several replicas share one
 * database. A lease is held for a time (the database's clock decides, so replicas' clocks do not
 * matter) and renewed while the work runs. Every acquire or takeover gets a new token, larger than
 * any token given before for any lease; a writer holding an older token is refused by every
 * fenced write (see `LeaseFence`), so a replica that was paused past its lease cannot write.
 */
import { AppError } from "../errors.js";

export interface Lease {
  /** What is leased, e.g. `conversation:<id>`. */
  name: string;
  /** Who holds it (a replica's id). */
  holder: string;
  /** The fencing token: grows with every acquire and takeover. */
  token: number;
  /** Epoch milliseconds (database clock) after which the lease may be taken over. */
  expires: number;
}

/** What a fenced write proves it still holds. */
export interface LeaseFence {
  name: string;
  token: number;
}

export interface LeaseStore {
  /** Takes a free lease (none held, or released); null while anyone holds it, even past its expiry. */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | null>;
  /**
   * Takes a lease whose holder stopped renewing it (expired); `previous` is what it was, so the new
   * holder can clean up after it (turn its draft into the interrupted reply). Null while it is live
   * or when there is none (use `acquire`).
   */
  takeover(name: string, holder: string, ttlMs: number): Promise<{ lease: Lease; previous: Lease } | null>;
  /** Extends a lease still held under `lease.token`; null once it was taken over or released. */
  renew(lease: LeaseFence, ttlMs: number): Promise<Lease | null>;
  /** Gives the lease up; false when `lease.token` no longer holds it. */
  release(lease: LeaseFence): Promise<boolean>;
  get(name: string): Promise<Lease | null>;
  /** Leases past their expiry whose name starts with `prefix`: what a survivor takes over. */
  expired(prefix: string): Promise<Lease[]>;
}

/** A fenced write whose lease was taken over (or released): nothing of it was stored. */
export class LeaseLostError extends AppError {
  constructor(fence: LeaseFence) {
    super(409, `This server no longer holds ${fence.name} (fencing token ${fence.token} was superseded); nothing was written`);
  }
}
