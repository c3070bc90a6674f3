/** Where and when the assistant is running. */
import { platform, release } from "node:os";

export interface SystemDescription {
  platform: string;
  release: string;
}

export function currentSystem(): SystemDescription {
  return { platform: platform(), release: release() };
}

export function systemInfoSection(system: SystemDescription, workspace: string): string {
  return `## System Information\n\n**OS:** ${system.platform} ${system.release}\n**Working directory:** ${workspace}`;
}

/** The date in UTC, so prompts built on one day are byte-identical (and cacheable) all day. */
export function dateSection(now: Date): string {
  return `## Current Date\n\n${now.toISOString().slice(0, 10)} (UTC)`;
}
