/**
 * What the server says about its sandbox (`GET /api/v2`, the banner, the web UI). Types only and
 * no `node:` imports: handlers read this through the runtime object.
 */

export type SandboxBackendName = "bwrap" | "container" | "user" | "none";

export type SandboxNetwork = "on" | "none";

export interface SandboxReport {
  backend: SandboxBackendName;
  /** True when a conversation's tools cannot read the server's token, keys and store. */
  isolated: boolean;
  /** Short labels of what is kept from the tools, e.g. `filesystem`, `processes`. */
  isolates: string[];
  /** Per-conversation limits on processes and memory; `detail` says which, or why there are none. */
  limits: { available: boolean; detail: string };
  network: SandboxNetwork;
  /** Set when tools are less isolated than asked for or than the default (said loudly at start). */
  warning: string | null;
}
