/**
 * Reads the token from a start-up link fragment: ours (`#token=...`) or gptme webui's (`#userToken=...`).
 * A fragment never reaches the server or its logs, which is why the link carries the token there.
 */
export function tokenFromFragment(hash: string): string | null {
  const parameters = new URLSearchParams(hash.replace(/^#/, ""));
  const token = parameters.get("token") ?? parameters.get("userToken");
  return token && token.trim() ? token.trim() : null;
}

/** The fragment without the token keys, so other fragment state (if any) survives the clean-up. */
export function fragmentWithoutToken(hash: string): string {
  const parameters = new URLSearchParams(hash.replace(/^#/, ""));
  parameters.delete("token");
  parameters.delete("userToken");
  parameters.delete("baseUrl");
  const rest = parameters.toString();
  return rest ? `#${rest}` : "";
}
