import { useEffect, useRef, useState } from "preact/hooks";

interface SignInProps {
  error: string | null;
  onSubmit(token: string): Promise<void>;
}

export function SignIn({ error, onSubmit }: SignInProps) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [error]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!token.trim()) return;
    setBusy(true);
    try {
      await onSubmit(token.trim());
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to gptme</h1>
        <p class="muted">
          This server needs its access token. Open the link the server printed at start-up, or paste the token shown
          after <code>Token:</code> (also set as <code>GPTME_SERVER_TOKEN</code>).
        </p>
        <label for="token-input">Access token</label>
        <input
          id="token-input"
          ref={input}
          type="password"
          autoComplete="current-password"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "sign-in-error" : undefined}
          required
        />
        {error && (
          <p id="sign-in-error" class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button-primary" disabled={busy || !token.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
