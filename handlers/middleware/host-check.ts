/**
 * Host-header check against DNS rebinding: a page on `attacker.example` whose name is re-pointed
 * at 127.0.0.1 reaches a loopback server as same-origin, but its requests still say
 * `Host: attacker.example`. gptme's rule and names (`--allowed-hosts`), applied on every loopback
 * bind (gptme: only with auth off) and whenever `--allowed-hosts` is given. Any port is accepted,
 * so `ssh -L` tunnels keep working.
 */
import type { MiddlewareHandler } from "hono";
import { ForbiddenError } from "../../runtime/errors.js";
import type { ServerSettings } from "../../runtime/runtime.js";
import type { AppEnvironment } from "../bindings.js";

const defaultHosts = new Set(["localhost", "127.0.0.1", "::1"]);
const wildcardBinds = new Set(["0.0.0.0", "::", ""]);

/** Lowercase, without a trailing root dot (`localhost.` is `localhost`). */
export function normalizeHostName(name: string): string {
  return name.trim().replace(/\.$/, "").toLowerCase();
}

/** The name part of a Host header: `[::1]:5700` → `::1`, `Example.COM.:80` → `example.com`. */
export function hostNameOf(host: string): string {
  let value = host.trim();
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end !== -1) value = value.slice(1, end);
  } else if (value.includes(":")) {
    value = value.slice(0, value.lastIndexOf(":"));
  }
  return normalizeHostName(value);
}

export function isLoopbackAddress(host: string): boolean {
  const name = normalizeHostName(host.replace(/^\[(.*)\]$/, "$1"));
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name) || /^::ffff:127\.\d+\.\d+\.\d+$/.test(name);
}

/** Whether a request naming `hostName` may reach this server; always true when the check is off. */
export function hostAllowed(hostName: string, settings: Pick<ServerSettings, "bindHost" | "allowedHosts">): boolean {
  if (defaultHosts.has(hostName)) return true;
  if (!isLoopbackAddress(settings.bindHost) && settings.allowedHosts.length === 0) return true;
  const bind = normalizeHostName(settings.bindHost.replace(/^\[(.*)\]$/, "$1"));
  if (!wildcardBinds.has(bind) && hostName === bind) return true;
  return settings.allowedHosts.some((allowed) => normalizeHostName(allowed) === hostName);
}

/** The authority of an absolute URL, without parsing the whole URL (this runs on every request). */
function authorityOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return url.slice(start, end === -1 ? undefined : end);
}

/** Host values already accepted, per server: the check then costs one lookup per request. */
const acceptedHosts = new WeakMap<ServerSettings, Set<string>>();
const maximumAcceptedHosts = 32;

export const checkHost: MiddlewareHandler<AppEnvironment> = async (c, next) => {
  const urlHost = authorityOf(c.req.url);
  const header = c.req.header("host");
  const settings = c.env.settings;
  let accepted = acceptedHosts.get(settings);
  if (accepted === undefined) acceptedHosts.set(settings, (accepted = new Set()));
  if ((header === undefined || header === urlHost) && accepted.has(urlHost)) return next();
  for (const host of header === undefined || header === urlHost ? [urlHost] : [header, urlHost]) {
    const name = hostNameOf(host);
    if (!hostAllowed(name, settings)) {
      throw new ForbiddenError(
        `Host '${host}' is not allowed: this server checks the Host header to block DNS rebinding. ` +
          `If the name is yours (a reverse proxy, a tunnel), start the server with --allowed-hosts ${name || "<name>"}`,
      );
    }
  }
  if (accepted.size < maximumAcceptedHosts) {
    if (header !== undefined) accepted.add(header);
    accepted.add(urlHost);
  }
  return next();
};
