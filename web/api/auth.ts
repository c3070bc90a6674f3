import { request } from "./client.js";

/** Trades the bearer token for the server's HttpOnly `gptme_auth` cookie, so the token never sits in URLs or storage. */
export async function exchangeTokenForCookie(token: string): Promise<void> {
  await request("/api/v2/auth/cookie", {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
    quietUnauthorized: true,
  });
}

export async function signOut(): Promise<void> {
  await request("/api/v2/auth/cookie", { method: "DELETE", quietUnauthorized: true });
}
