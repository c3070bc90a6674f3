/**
 * Sign-in sessions behind the web UI's `gptme_auth` cookie. The cookie holds a random session id,
 * never the token; a session is bound to the token it was made under, so a new token ends them all.
 * Kept in the store (not in memory) so sessions survive a restart and can be shared by replicas.
 */
export interface AuthSessionStore {
  /** Starts a session under `token` for `lifetimeSeconds`; returns its id (stored only as a hash). */
  create(token: string, lifetimeSeconds: number): Promise<string>;
  /** True while the session exists, has not expired, and was made under `token`. */
  verify(id: string, token: string): Promise<boolean>;
  /** Ends the session; unknown ids are ignored. */
  revoke(id: string): Promise<void>;
}
