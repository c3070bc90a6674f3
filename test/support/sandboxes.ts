/** Sandbox managers for tests: one per backend, disposed when the test file ends. */
import { spawnSync } from "node:child_process";
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, describe } from "vitest";
import { createSandboxManager, type SandboxManager, type SandboxManagerOptions } from "../../runtime/sandbox/manager.js";
import { probeBwrap } from "../../runtime/sandbox/probe.js";
import { resolveSandboxSettings } from "../../runtime/sandbox/settings.js";

export type LocalBackend = "none" | "bwrap" | "user";

/**
 * The backends the tool tests run against: bwrap where it works. `.ci/run` sets
 * GPTME_TEST_REQUIRE_BWRAP=1, so there a bwrap that does not work fails its tests (with the
 * reason) instead of skipping them.
 */
export const LOCAL_BACKENDS: Array<"none" | "bwrap"> =
  probeBwrap().ok || process.env.GPTME_TEST_REQUIRE_BWRAP === "1" ? ["none", "bwrap"] : ["none"];

/**
 * The `container` backend joins when an engine is given: `GPTME_TEST_DOCKER_HOST` (podman's API
 * service, started by `npm run test:containers`) and `GPTME_TEST_SANDBOX_IMAGE` (default gptme-base).
 */
export const CONTAINER_TEST_ENV: Record<string, string> | undefined = process.env.GPTME_TEST_DOCKER_HOST
  ? { DOCKER_HOST: process.env.GPTME_TEST_DOCKER_HOST, GPTME_SANDBOX_IMAGE: process.env.GPTME_TEST_SANDBOX_IMAGE ?? "gptme-base" }
  : undefined;

function onPath(program: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((directory) => {
    try {
      accessSync(join(directory, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Why the `user` backend cannot run here, if it cannot: its helper is setuid root in the image, so
 * here the tests must be root (the helper then switches to `nobody`), and they compile it from
 * docker/run-as-appuser.c. Only those two reasons skip it: once they hold, a helper that does not
 * build or does not switch fails the tests. `.ci/run` (root, gcc installed) sets
 * GPTME_TEST_REQUIRE_USER=1, so there even these fail instead of skipping.
 */
export const USER_BACKEND_SKIP: string | undefined = (() => {
  if (process.env.GPTME_TEST_REQUIRE_USER === "1") return undefined;
  if (process.platform !== "linux") return `the user backend needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "the user backend's helper must run setuid root: run the tests as root to include it";
  if (!onPath("cc")) return "no C compiler (cc) to build the user backend's helper: apt-get install gcc";
  return undefined;
})();

/** The user the `user` backend's test helper runs the tools as. */
export const TOOLS_USER = "nobody";

export interface UserHelper {
  path: string;
  uid: number;
  gid: number;
}

let builtHelper: UserHelper | undefined;

/**
 * The `user` backend's helper, built once per test file from docker/run-as-appuser.c with
 * `nobody` as the tools user. Throws, with the compiler's or the helper's words, when it cannot
 * be built or does not switch users.
 */
export function userHelper(): UserHelper {
  if (builtHelper) return builtHelper;
  if (USER_BACKEND_SKIP) throw new Error(`the user backend cannot run here: ${USER_BACKEND_SKIP}`);
  const directory = mkdtempSync(join(tmpdir(), "gptme-user-helper-"));
  process.once("exit", () => rmSync(directory, { recursive: true, force: true }));
  chmodSync(directory, 0o755);
  const helper = join(directory, `run-as-${TOOLS_USER}`);
  const source = new URL("../../docker/run-as-appuser.c", import.meta.url).pathname;
  const build = spawnSync("cc", ["-O2", `-DTARGET_USER="${TOOLS_USER}"`, "-o", helper, source], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`cannot build the user backend's helper: ${(build.stderr || build.error?.message || `cc exited with ${build.status}`).trim()}`);
  const ids = spawnSync(helper, ["sh", "-c", "id -u; id -g"], { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
  const [uid, gid] = ids.stdout.split("\n").map(Number);
  if (ids.status !== 0 || !uid || !gid || uid === process.getuid?.()) {
    throw new Error(`the user backend's helper does not switch to ${TOOLS_USER}: ${(ids.stderr || ids.stdout || `exit ${ids.status}`).trim()}`);
  }
  builtHelper = { path: helper, uid, gid };
  return builtHelper;
}

/** Why a local backend's tests are skipped here; undefined when they run (and must pass). */
export function localBackendSkip(backend: LocalBackend): string | undefined {
  if (backend === "bwrap" && !LOCAL_BACKENDS.includes("bwrap")) return `bwrap cannot run here: ${probeBwrap().reason}`;
  if (backend === "user") return USER_BACKEND_SKIP;
  return undefined;
}

/** Every local backend: the tool tests run on each, skipped (saying why) only where the machine cannot run it. */
export const TOOL_BACKENDS: LocalBackend[] = ["none", "bwrap", "user"];

const warned = new Set<string>();

/**
 * `describe` once per local backend, titled "<name> (<backend>)"; a backend this machine cannot
 * run is skipped with the reason in its title and a warning on stderr, so its tests count as
 * skipped, never as passed.
 */
export function describeEachLocalBackend(
  name: string,
  options: { timeout?: number; /** Why every backend's run is skipped (a program the tests need is missing). */ skip?: string },
  body: (backend: LocalBackend) => void,
): void {
  for (const backend of TOOL_BACKENDS) {
    const skip = options.skip ?? localBackendSkip(backend);
    if (!skip) {
      describe(`${name} (${backend})`, { timeout: options.timeout }, () => body(backend));
      continue;
    }
    if (!warned.has(skip)) {
      warned.add(skip);
      console.warn(`skipping the ${backend} backend's tests: ${skip}`);
    }
    describe.skip(`${name} (${backend}: skipped, ${skip})`, { timeout: options.timeout }, () => body(backend));
  }
}

/** Every backend the escape tests attack. */
export const ISOLATING_AND_NONE: Array<LocalBackend | "container"> = [
  ...LOCAL_BACKENDS,
  ...(USER_BACKEND_SKIP ? [] : (["user"] as const)),
  ...(CONTAINER_TEST_ENV ? (["container"] as const) : []),
];

/**
 * Gives `target` to the tools user when the backend runs the tools as another user (`user`): a
 * file the test puts in a workspace is then the tools' to change, as a project's files are its
 * owner's. Other backends run the tools as the test's own user: nothing to do.
 */
export function giveToToolsUser(backend: LocalBackend, target: string): void {
  if (backend !== "user") return;
  const { uid, gid } = userHelper();
  chownSync(target, uid, gid);
}

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
  const environment = overrides.environment ?? process.env;
  const manager = createSandboxManager({
    settings,
    secrets: [],
    ...overrides,
    environment: backend === "user" && !environment.GPTME_SANDBOX_USER_HELPER ? { ...environment, GPTME_SANDBOX_USER_HELPER: userHelper().path } : environment,
  });
  if (manager.report.backend !== backend) throw new Error(`sandbox backend ${backend} is not available: ${manager.report.warning}`);
  managers.push(manager);
  return manager;
}
