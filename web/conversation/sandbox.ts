/** Reading the server's sandbox report defensively: it is absent on older servers, and may be partial. */
import type { SandboxReport } from "../api/types.js";

export function sandboxReport(value: unknown): SandboxReport | null {
  if (!value || typeof value !== "object") return null;
  const report = value as Partial<SandboxReport>;
  if (typeof report.backend !== "string") return null;
  return {
    backend: report.backend,
    isolated: report.isolated === true,
    isolates: Array.isArray(report.isolates) ? report.isolates.filter((item): item is string => typeof item === "string") : [],
    limits: {
      available: report.limits?.available === true,
      detail: typeof report.limits?.detail === "string" ? report.limits.detail : "",
    },
    network: typeof report.network === "string" ? report.network : "unknown",
    warning: typeof report.warning === "string" && report.warning.trim() !== "" ? report.warning : null,
  };
}

/** The sentence the warning banner shows, or null when the tools are isolated and the server raises nothing. */
export function sandboxWarning(report: SandboxReport | null): string | null {
  if (!report) return null;
  if (report.warning) return report.warning;
  if (!report.isolated) return `Tools run without a sandbox (backend: ${report.backend}): commands the agent runs can reach everything the server's user can.`;
  return null;
}

/** One line for a tooltip: what the sandbox isolates, its network and its limits. */
export function sandboxDetails(report: SandboxReport): string {
  const parts = [`Sandbox: ${report.backend}`, report.isolated ? "isolated" : "not isolated"];
  if (report.isolates.length) parts.push(`isolates ${report.isolates.join(", ")}`);
  parts.push(`network ${report.network}`);
  parts.push(report.limits.available ? `limits: ${report.limits.detail || "on"}` : `no resource limits${report.limits.detail ? ` (${report.limits.detail})` : ""}`);
  return parts.join(" · ");
}
