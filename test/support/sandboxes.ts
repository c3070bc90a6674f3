/** Sandbox managers for tests: one per backend, disposed when the test file ends. */
import { afterAll } from "vitest";
import { createSandboxManager, type SandboxManager, type SandboxManagerOptions } from "../../runtime/sandbox/manager.js";
import { probeBwrap } from "../../runtime/sandbox/probe.js";
import { resolveSandboxSettings } from "../../runtime/sandbox/settings.js";

export type LocalBackend = "none" | "bwrap";

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

/** Every backend the escape tests attack. */
export const ISOLATING_AND_NONE: Array<LocalBackend | "container"> = [...LOCAL_BACKENDS, ...(CONTAINER_TEST_ENV ? (["container"] as const) : [])];

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
