/** Two routes need no router library: `/` (new conversation) and `/chat/<id>`. */
import { useEffect, useState } from "preact/hooks";

export type Route = { name: "home" } | { name: "conversation"; id: string };

export function parseRoute(pathname: string): Route {
  const match = /^\/chat\/([^/]+)\/?$/.exec(pathname);
  if (match) {
    try {
      return { name: "conversation", id: decodeURIComponent(match[1]) };
    } catch {
      return { name: "home" };
    }
  }
  return { name: "home" };
}

export function conversationHref(id: string): string {
  return `/chat/${encodeURIComponent(id)}`;
}

const listeners = new Set<() => void>();

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}
