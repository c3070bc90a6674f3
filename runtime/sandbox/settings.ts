/**
 * Sandbox settings from, in order of precedence: flags (`--sandbox`, `--sandbox-network`), the
 * environment (`GPTME_SANDBOX`, `GPTME_SANDBOX_NETWORK`, `GPTME_SANDBOX_ENV`,
 * `GPTME_SANDBOX_PIDS`, `GPTME_SANDBOX_MEMORY`, `GPTME_SANDBOX_IMAGE`, `GPTME_SANDBOX_CPUS`) and the
 * `[sandbox]` table of the user config (`backend`, `network`, `env`, `pids`, `memory`, `read_only`,
 * `image`, `cpus`, `container_network`).
 */
import { readFileSync } from "node:fs";
import { totalmem } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "smol-toml";
import { BadRequestError } from "../errors.js";
import { parseEnvironmentNames } from "./environment.js";
import type { CgroupLimits } from "./cgroups.js";
import type { SandboxBackendName, SandboxNetwork } from "./report.js";

export const SANDBOX_BACKENDS: SandboxBackendName[] = ["bwrap", "container", "user", "none"];

export interface SandboxSettings {
  backend: SandboxBackendName;
  /** Chosen by the user (flag, env or config) rather than the default. */
  explicit: boolean;
  network: SandboxNetwork;
  /** `GPTME_SANDBOX_ENV` and `[sandbox] env`: names passed to the tools besides the base allowlist. */
  extraEnvironmentNames: string[];
  /** `[sandbox] read_only`: more host directories the tools may read (e.g. `~/.cargo`). */
  readOnly: string[];
  limits: CgroupLimits;
  /** The `container` backend: image, CPUs and the engine's network for `network = on`. */
  container: { image: string; cpus?: number; network?: string };
}

/** The image built from the project's Dockerfile (`npm run docker:build`). */
export const DEFAULT_CONTAINER_IMAGE = "gptme-base";

export interface SandboxSettingsInput {
  backendFlag?: string;
  networkFlag?: string;
  env: NodeJS.ProcessEnv;
  /** `~/.config/gptme/config.toml`; null to ignore the user config. */
  configPath: string | null;
  /** The server sandboxes by default; the terminal `gptme`, like gptme, does not. */
  defaultBackend: SandboxBackendName;
}

const GIB = 1024 ** 3;

export const DEFAULT_PIDS = 1024;

/** Half the machine's memory, at most 4 GiB: room for a build, not for taking the server down. */
export function defaultMemoryBytes(): number {
  return Math.min(4 * GIB, Math.floor(totalmem() / 2));
}

/** `2G`, `512M`, `1.5GiB`, `1048576` → bytes. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return undefined;
  const power = { "": 0, k: 1, m: 2, g: 3, t: 4 }[match[2]!.toLowerCase() as "" | "k" | "m" | "g" | "t"];
  const bytes = Math.floor(Number(match[1]) * 1024 ** power);
  return bytes > 0 ? bytes : undefined;
}

interface ConfigTable {
  backend?: unknown;
  network?: unknown;
  env?: unknown;
  pids?: unknown;
  memory?: unknown;
  read_only?: unknown;
  image?: unknown;
  cpus?: unknown;
  container_network?: unknown;
}

/** `[sandbox]` of config.toml and config.local.toml (the latter wins, as for `[env]`). */
function readConfigTable(configPath: string | null): ConfigTable {
  if (!configPath) return {};
  const table: ConfigTable = {};
  for (const file of [configPath, join(dirname(configPath), "config.local.toml")]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    let document: Record<string, unknown>;
    try {
      document = parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new BadRequestError(`Cannot read ${file}: ${(error as Error).message.split("\n")[0]}`);
    }
    const sandbox = document.sandbox;
    if (sandbox && typeof sandbox === "object" && !Array.isArray(sandbox)) Object.assign(table, sandbox);
  }
  return table;
}

function backendName(value: string, source: string): SandboxBackendName {
  const name = value.trim().toLowerCase();
  if (!SANDBOX_BACKENDS.includes(name as SandboxBackendName)) {
    throw new BadRequestError(`Unknown sandbox backend in ${source}: ${value} (expected ${SANDBOX_BACKENDS.join(", ")})`);
  }
  return name as SandboxBackendName;
}

function networkMode(value: string, source: string): SandboxNetwork {
  const mode = value.trim().toLowerCase();
  if (mode === "on" || mode === "none") return mode;
  throw new BadRequestError(`Invalid sandbox network in ${source}: ${value} (expected on or none)`);
}

export function resolveSandboxSettings(input: SandboxSettingsInput): SandboxSettings {
  const config = readConfigTable(input.configPath);
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value : undefined);

  let backend = input.defaultBackend;
  let explicit = false;
  const backendSources: Array<[unknown, string]> = [
    [input.backendFlag, "--sandbox"],
    [input.env.GPTME_SANDBOX, "GPTME_SANDBOX"],
    [config.backend, "[sandbox] backend"],
  ];
  const chosenBackend = backendSources.find(([value]) => text(value));
  if (chosenBackend) {
    backend = backendName(text(chosenBackend[0])!, chosenBackend[1]);
    explicit = true;
  }

  const networkSources: Array<[unknown, string]> = [
    [input.networkFlag, "--sandbox-network"],
    [input.env.GPTME_SANDBOX_NETWORK, "GPTME_SANDBOX_NETWORK"],
    [config.network, "[sandbox] network"],
  ];
  const chosenNetwork = networkSources.find(([value]) => text(value));
  const network = chosenNetwork ? networkMode(text(chosenNetwork[0])!, chosenNetwork[1]) : "on";

  const configNames = Array.isArray(config.env) ? config.env.filter((name): name is string => typeof name === "string") : parseEnvironmentNames(text(config.env));
  const extraEnvironmentNames = [...parseEnvironmentNames(input.env.GPTME_SANDBOX_ENV), ...parseEnvironmentNames(configNames.join(","))];

  const pidsText = text(input.env.GPTME_SANDBOX_PIDS) ?? (config.pids === undefined ? undefined : String(config.pids));
  const pids = pidsText === undefined ? DEFAULT_PIDS : Number(pidsText);
  if (!Number.isInteger(pids) || pids < 8) throw new BadRequestError(`Invalid sandbox process limit: ${pidsText} (a whole number, at least 8)`);
  const memoryText = text(input.env.GPTME_SANDBOX_MEMORY) ?? (config.memory === undefined ? undefined : String(config.memory));
  const memoryBytes = memoryText === undefined ? defaultMemoryBytes() : parseByteSize(memoryText);
  if (memoryBytes === undefined || memoryBytes < 16 * 1024 ** 2) {
    throw new BadRequestError(`Invalid sandbox memory limit: ${memoryText} (e.g. 512M or 2G, at least 16M)`);
  }

  const home = input.env.HOME ?? "";
  const readOnly = (Array.isArray(config.read_only) ? config.read_only : [])
    .filter((entry): entry is string => typeof entry === "string" && entry.trim() !== "")
    .map((entry) => (entry === "~" ? home : entry.startsWith("~/") ? join(home, entry.slice(2)) : entry))
    .filter((entry) => isAbsolute(entry));

  const image = text(input.env.GPTME_SANDBOX_IMAGE) ?? text(config.image) ?? DEFAULT_CONTAINER_IMAGE;
  const cpusText = text(input.env.GPTME_SANDBOX_CPUS) ?? (config.cpus === undefined ? undefined : String(config.cpus));
  const cpus = cpusText === undefined ? undefined : Number(cpusText);
  if (cpus !== undefined && !(cpus > 0 && cpus <= 1024)) throw new BadRequestError(`Invalid sandbox CPU limit: ${cpusText} (e.g. 1 or 0.5)`);
  const containerNetwork = text(config.container_network);

  return {
    backend,
    explicit,
    network,
    extraEnvironmentNames,
    readOnly,
    limits: { pids, memoryBytes },
    container: { image: image.trim(), cpus, network: containerNetwork?.trim() },
  };
}
