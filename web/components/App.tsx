import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { exchangeTokenForCookie, signOut } from "../api/auth.js";
import { ApiError, onUnauthorized } from "../api/client.js";
import { fetchModels, fetchServerInfo } from "../api/server.js";
import type { ModelList, ServerInfo } from "../api/types.js";
import { fragmentWithoutToken, tokenFromFragment } from "../auth/fragment-token.js";
import { sandboxReport } from "../conversation/sandbox.js";
import { Layout } from "./Layout.js";
import { SignIn } from "./SignIn.js";

type AuthState = { status: "checking" } | { status: "signed-in" } | { status: "signed-out"; error: string | null };

function removeTokenFromAddressBar(): void {
  history.replaceState(history.state, "", location.pathname + location.search + fragmentWithoutToken(location.hash));
}

function signInError(error: unknown): string {
  if (error instanceof ApiError && error.unauthorized) return "That token was not accepted. Check it and try again.";
  return error instanceof Error ? error.message : "Sign-in failed.";
}

export function App() {
  const [auth, setAuth] = useState<AuthState>({ status: "checking" });
  const [serverInfo, setServerInfo] = useState<ServerInfo | null>(null);
  const [models, setModels] = useState<ModelList>({ models: [], default: null });
  const wasSignedIn = useRef(false);

  useEffect(
    () =>
      onUnauthorized(() =>
        setAuth({ status: "signed-out", error: wasSignedIn.current ? "Your sign-in has expired. Enter the token again." : null }),
      ),
    [],
  );

  /** The models call doubles as the sign-in check: it needs auth, and the composer needs its answer anyway. */
  const loadSignedInState = useCallback(async () => {
    try {
      setModels(await fetchModels());
    } catch (error) {
      if (error instanceof ApiError && error.unauthorized) return;
    }
    wasSignedIn.current = true;
    setAuth({ status: "signed-in" });
  }, []);

  useEffect(() => {
    fetchServerInfo().then(setServerInfo, () => undefined);
    const token = tokenFromFragment(location.hash);
    if (!token) {
      void loadSignedInState();
      return;
    }
    removeTokenFromAddressBar();
    exchangeTokenForCookie(token).then(loadSignedInState, (error) => setAuth({ status: "signed-out", error: signInError(error) }));
  }, [loadSignedInState]);

  const submitToken = useCallback(
    async (token: string) => {
      try {
        await exchangeTokenForCookie(token);
      } catch (error) {
        setAuth({ status: "signed-out", error: signInError(error) });
        return;
      }
      await loadSignedInState();
    },
    [loadSignedInState],
  );

  const leave = useCallback(async () => {
    wasSignedIn.current = false;
    await signOut().catch(() => undefined);
    // With auth disabled on the server the check still passes, and staying signed in is right.
    await loadSignedInState();
  }, [loadSignedInState]);

  if (auth.status === "checking") {
    return (
      <div class="splash" role="status">
        Connecting…
      </div>
    );
  }
  if (auth.status === "signed-out") return <SignIn error={auth.error} onSubmit={submitToken} />;
  return (
    <Layout
      models={models}
      providerConfigured={serverInfo?.provider_configured !== false}
      sandbox={sandboxReport(serverInfo?.sandbox)}
      onSignOut={serverInfo?.auth_required === false ? undefined : leave}
    />
  );
}
