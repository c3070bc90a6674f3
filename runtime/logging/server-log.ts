/**
 * The server's request and generation log: one line per event, as text for a terminal or as JSON
 * (`--log-format json`) for a log collector. Every line passes through the redactor, so the token,
 * provider keys and cookie values never reach the log, whichever code path wrote them.
 */
export type LogFormat = "text" | "json";

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface ServerLog {
  readonly format: LogFormat;
  /** One request: method, path without the query string, status, duration. */
  request(fields: { method: string; path: string; status: number; durationMs: number }): void;
  /** A generation event (started, tool run, complete, error) of a conversation. */
  generation(event: string, fields: LogFields): void;
  info(event: string, fields?: LogFields): void;
}

export function parseLogFormat(text: string | undefined): LogFormat {
  if (text === undefined || text === "text") return "text";
  if (text === "json") return "json";
  throw new Error(`Invalid --log-format: ${text} (expected text or json)`);
}

/** Names of environment variables that hold credentials: their values are redacted wherever they appear. */
const secretName = /(^|_)(API_KEY|KEY|TOKEN|SECRET|PASSWORD)$/i;

export function secretsOf(env: Record<string, string | undefined>, more: Array<string | null | undefined> = []): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => secretName.test(name) && value !== undefined)
    .map(([, value]) => value!);
  // A database or NATS URL carries its password inside (postgres://user:password@host/db).
  for (const [name, value] of Object.entries(env)) {
    if (!/_URL$/i.test(name) || !value) continue;
    try {
      const password = new URL(value).password;
      if (password) values.push(decodeURIComponent(password), password);
    } catch {
      continue;
    }
  }
  // Short values (an empty or "1" flag) would redact ordinary words.
  return [...new Set([...values, ...more].filter((value): value is string => typeof value === "string" && value.length >= 8))];
}

/** Replaces every secret (and its URL-encoded form) with [REDACTED]. */
export function redactor(secrets: string[]): (text: string) => string {
  const forms = [...new Set(secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]))].sort((left, right) => right.length - left.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, "[REDACTED]");
}

/** Query strings carry `?token=`: never logged. */
export function pathWithoutQuery(url: string): string {
  const start = url.indexOf("://");
  const pathStart = start === -1 ? 0 : url.indexOf("/", start + 3);
  const path = pathStart === -1 ? "/" : url.slice(pathStart);
  const end = path.search(/[?#]/);
  return end === -1 ? path : path.slice(0, end);
}

export function createServerLog(options: {
  format: LogFormat;
  write: (line: string) => void;
  secrets: string[];
  /** Request lines (`-v`); generation lines and the rest are always written. */
  requests: boolean;
  now?: () => Date;
}): ServerLog {
  const redact = redactor(options.secrets);
  const now = options.now ?? (() => new Date());
  const emit = (event: string, fields: LogFields, text: string) => {
    if (options.format === "json") {
      options.write(redact(JSON.stringify({ time: now().toISOString(), event, ...fields })));
    } else {
      options.write(redact(text));
    }
  };
  const pairs = (fields: LogFields) =>
    Object.entries(fields)
      .filter(([, value]) => value !== undefined && value !== null)
      .map(([name, value]) => `${name}=${typeof value === "string" && /\s/.test(value) ? JSON.stringify(value) : value}`)
      .join(" ");
  return {
    format: options.format,
    request({ method, path, status, durationMs }) {
      if (!options.requests) return;
      const duration = Number(durationMs.toFixed(1));
      emit("request", { method, path, status, duration_ms: duration }, `${method} ${path} ${status} ${duration}ms`);
    },
    generation(event, fields) {
      emit(event, fields, `${event} ${pairs(fields)}`);
    },
    info(event, fields = {}) {
      emit(event, fields, `${event} ${pairs(fields)}`.trimEnd());
    },
  };
}
