/** The start-up banner: where the server is, how to log in, what is configured and what is not. */
import type { Runtime } from "../../runtime/runtime.js";
import type { SandboxReport } from "../../runtime/sandbox/report.js";

export interface BannerInput {
  runtime: Runtime;
  url: string;
  tokenGenerated: boolean;
  unavailableTools: string[];
}

export function startupBanner({ runtime, url, tokenGenerated, unavailableTools }: BannerInput): string {
  const { settings, models } = runtime;
  const lines = [`gptme server v${settings.version} listening on ${url}`];
  if (settings.authToken === null) {
    lines.push(
      "",
      "  WARNING: authentication is DISABLED (GPTME_DISABLE_AUTH). Anyone who can reach this port can run",
      "  commands on this machine through the agent. Only do this behind your own authenticating proxy.",
    );
  } else {
    lines.push(
      "",
      `  Token:    ${settings.authToken}${tokenGenerated ? "   (auto-generated; set GPTME_SERVER_TOKEN to keep one)" : ""}`,
      `  Web UI:   ${url}/#token=${encodeURIComponent(settings.authToken)}`,
    );
  }
  lines.push(`  API docs: ${url}/api/docs/`, `  Database: ${settings.databasePath}`);
  const defaultModel = models.defaultModel();
  lines.push(
    models.providerConfigured()
      ? `  Model:    ${defaultModel ?? "(none: pass --model)"}`
      : `  Model:    none - degraded mode: no provider key found; set ${models.keyEnvironmentVariables().slice(0, 3).join(", ")} (or OPENAI_BASE_URL for local models)`,
  );
  const tools = runtime.toolNames();
  lines.push(`  Tools:    ${tools.join(", ") || "none"}${unavailableTools.length ? ` (unavailable: ${unavailableTools.join(", ")})` : ""}`);
  if (settings.corsOrigins.length) lines.push(`  CORS:     ${settings.corsOrigins.join(", ")}`);
  lines.push(...sandboxLines(settings.sandbox));
  return lines.join("\n");
}

/** Where tools run, what that keeps from them, whether limits apply, and any warning, loudly. */
export function sandboxLines(report: SandboxReport): string[] {
  const what = report.isolated ? `isolates ${report.isolates.join(", ")}` : "NOT isolated";
  const lines = [
    `  Sandbox:  ${report.backend} (${what}; network ${report.network})`,
    `  Limits:   ${report.limits.available ? report.limits.detail : `none - ${report.limits.detail}`}`,
  ];
  if (report.warning) lines.push("", `  WARNING: ${report.warning}`);
  return lines;
}
