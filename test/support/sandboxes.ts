/** Sandbox managers for tests: one per backend, disposed when the test file ends. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createSandboxManager, type SandboxManager, type SandboxManagerOptions } from "../../runtime/sandbox/manager.js";
import { probeBwrap } from "../../runtime/sandbox/probe.js";
import { resolveSandboxSettings } from "../../runtime/sandbox/settings.js";

export type LocalBackend = "none" | "bwrap" | "user";

/**
 * The backends the tool tests run against: bwrap where it works. `.ci/run` sets
 * GPTME_TEST_REQUIRE_BWRAP=1, so there a bwrap that does not work fails its tests (with the
 * reason) instead of skipping them.
 */
export const LOCAL_BACKENDS: LocalBackend[] =
  probeBwrap().ok || process.env.GPTME_TEST_REQUIRE_BWRAP === "1" ? ["none", "bwrap"] : ["none"];

/**
 * The `container` backend joins when an engine is given: `GPTME_TEST_DOCKER_HOST` (podman's API
 * service, started by `npm run test:containers`) and `GPTME_TEST_SANDBOX_IMAGE` (default gptme-base).
 */
export const CONTAINER_TEST_ENV: Record<string, string> | undefined = process.env.GPTME_TEST_DOCKER_HOST
  ? { DOCKER_HOST: process.env.GPTME_TEST_DOCKER_HOST, GPTME_SANDBOX_IMAGE: process.env.GPTME_TEST_SANDBOX_IMAGE ?? "gptme-base" }
  : undefined;

/**
 * The `user` backend's helper, built for the tests from docker/run-as-appuser.c with `nobody` as
 * the tools user; only as root (the helper is setuid in the image; here the server is root) and
 * where a C compiler exists. `.ci/run` runs as root with gcc: there it always runs.
 */
function buildUserHelper(): string | undefined {
  if (process.getuid?.() !== 0 || process.platform !== "linux") return undefined;
  const directory = mkdtempSync(join(tmpdir(), "gptme-user-helper-"));
  chmodSync(directory, 0o755);
  const helper = join(directory, "run-as-nobody");
  const source = new URL("../../docker/run-as-appuser.c", import.meta.url).pathname;
  const build = spawnSync("cc", ["-O2", "-DTARGET_USER=\"nobody\"", "-o", helper, source], { encoding: "utf8" });
  if (build.status !== 0) {
    rmSync(directory, { recursive: true, force: true });
    return undefined;
  }
  process.once("exit", () => rmSync(directory, { recursive: true, force: true }));
  return helper;
}

export const USER_HELPER: string | undefined = buildUserHelper();

/** Every backend the escape tests attack. */
export const ISOLATING_AND_NONE: Array<LocalBackend | "container" | "user"> = [
  ...LOCAL_BACKENDS,
  ...(USER_HELPER ? (["user"] as const) : []),
  ...(CONTAINER_TEST_ENV ? (["container"] as const) : []),
];

const managers: SandboxManager[] = [];
afterAll(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.disposeAll()));
});

export function testSandboxManager(
  backend: LocalBackend,
  overrides: Partial<SandboxManagerOptions> & { env?: NodeJS.ProcessEnv } = {},
): SandboxManager {
  const env = overrides.env ?? {};
  const settings = resolveSandboxSettings({ backendFlag: backend, env, configPath: null, defaultBackend: backend });
  const manager = createSandboxManager({ settings, environment: process.env, secrets: [], ...overrides });
  if (manager.report.backend !== backend) throw new Error(`sandbox backend ${backend} is not available: ${manager.report.warning}`);
  managers.push(manager);
  return manager;
}
