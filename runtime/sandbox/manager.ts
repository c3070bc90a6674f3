/**
 * One sandbox per conversation: made when its tools first need it (the Sandbox object is cheap;
 * its processes start on first use), replaced when the conversation's workspace changes or the
 * sandbox died, removed when the conversation is deleted or its tools have been idle for the idle
 * limit, and all disposed at shutdown.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeDirectories } from "../files/make-directories.js";
import { BwrapSandbox } from "./bwrap-sandbox.js";
import { insideHome, systemMounts } from "./bwrap-mounts.js";
import { programLookupOf } from "./programs.js";
import { CHECKED_PROGRAMS, useProgramLookup } from "../tools/executables.js";
import { probeCgroups, type CgroupSupport } from "./cgroups.js";
import { allowlistedEnvironment } from "./environment.js";
import { dockerClient, removeContainersNow, serverLabels } from "./container-engine.js";
import { CONTAINER_HOME, ContainerSandbox } from "./container-sandbox.js";
import { NoneSandbox } from "./none-sandbox.js";
import { prepareUserAccess, UserSandbox } from "./user-sandbox.js";
import { chooseBackend } from "./probe.js";
import type { SandboxReport } from "./report.js";
import type { SandboxSettings } from "./settings.js";
import type { Sandbox } from "./types.js";

export interface SandboxManager {
  readonly report: SandboxReport;
  /** The conversation's sandbox for `workspace` (a new one if the workspace changed). */
  forConversation(conversationId: string, workspace: string): Sandbox;
  /** Whether the tools can run `name` in this backend's view (tmux, and the programs the shell lists). */
  hasProgram(name: string): boolean;
  /** Ends the conversation's sandbox (deleted conversation). */
  remove(conversationId: string): Promise<void>;
  disposeAll(): Promise<void>;
}

export interface SandboxManagerOptions {
  settings: SandboxSettings;
  /** The server's environment (the source of the allowlist). */
  environment: NodeJS.ProcessEnv;
  /** Host paths no sandbox may see: data directory, config directory, database file. */
  secrets: string[];
  /** Sandboxes unused for this long (and not busy) are removed; default one hour, as sessions. */
  idleLimitMs?: number;
  /**
   * Where a conversation's uploads are (`attachmentsDirectory`): created if missing and shown to its
   * tools read-only at that path (the path the model is told), never another conversation's.
   */
  attachmentsOf?: (conversationId: string) => string;
  /** Parent of the sandboxes' private directories (default the system temp dir). */
  directory?: string;
  bwrap?: string;
}

/** What the manager needs of every backend's sandbox besides the `Sandbox` interface. */
type ManagedSandbox = Sandbox & {
  readonly busy: boolean;
  readonly lastUsed: number;
  readonly broken?: boolean;
  disposeNow(): void;
};

const DEFAULT_IDLE_LIMIT_MS = 60 * 60 * 1000;

/** Live managers, so one exit hook can end every sandbox process when the server exits. */
const live = new Set<{ disposeNow(): void }>();
process.once("exit", () => {
  for (const manager of live) manager.disposeNow();
});

let instances = 0;

const ROOT_PREFIX = "gptme-sandboxes-";

/**
 * A server killed outright (no exit hook) leaves its sandboxes' directories behind: remove those
 * whose server is gone. Only our own directories, never through a symlink.
 */
function removeStaleRoots(parent: string): void {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(new RegExp(`^${ROOT_PREFIX}(\\d+)-`).exec(entry)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
      continue;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") continue;
    }
    const directory = path.join(parent, entry);
    const info = lstatSync(directory, { throwIfNoEntry: false });
    if (!info?.isDirectory() || info.uid !== process.getuid?.()) continue;
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Read-only directories besides the system's: node's install dir (the tools' runtime, wherever
 * nvm or a tarball put it) and what the user lists in `[sandbox] read_only`. PATH entries are not
 * bound on their own: a shim directory without the tree it points into only breaks the tool.
 */
function runtimeDirectories(extra: string[]): string[] {
  return [path.dirname(path.dirname(process.execPath)), ...extra];
}

export function createSandboxManager(options: SandboxManagerOptions): SandboxManager {
  const instance = `${++instances}`;
  let cgroups: CgroupSupport | undefined;
  const choice = chooseBackend(
    options.settings,
    () => (cgroups = probeCgroups({ limits: options.settings.limits, instance })),
    options.bwrap,
    { env: options.environment, programs: CHECKED_PROGRAMS },
  );
  const parent = options.directory ?? tmpdir();
  removeStaleRoots(parent);
  const root = mkdtempSync(path.join(parent, `${ROOT_PREFIX}${process.pid}-`));
  // The tools user reaches its own output folder by name, never lists the others.
  if (choice.user) chmodSync(root, 0o711);
  // Other conversations' private directories live here: never visible inside a sandbox.
  const secrets = [...options.secrets, root];
  const readOnly = runtimeDirectories(options.settings.readOnly);
  const sandboxes = new Map<string, ManagedSandbox>();
  const engine = choice.engine;
  const docker = engine ? dockerClient(engine.address) : undefined;
  const hasProgram = engine
    ? (name: string) => engine.probe.programs.includes(name)
    : choice.backend === "none"
      ? programLookupOf({ searchPath: options.environment.PATH ?? "" })
      : programLookupOf({
          searchPath: allowlistedEnvironment(options.environment, { home: "/", extraNames: options.settings.extraEnvironmentNames }).PATH!,
          visible: [...systemMounts().destinations, ...readOnly],
          hidden: secrets,
        });
  // The tools' availability (tmux) and the programs the shell lists are checked in this view.
  const restoreProgramLookup = useProgramLookup(hasProgram);
  const idleLimitMs = options.idleLimitMs ?? DEFAULT_IDLE_LIMIT_MS;

  const create = (conversationId: string, workspace: string): ManagedSandbox => {
    if (engine && docker) {
      const attachments = engine.address.remote ? undefined : options.attachmentsOf?.(conversationId);
      if (attachments) makeDirectories(attachments);
      const { PATH: _path, HOME: _home, USER: _user, SHELL: _shell, ...environment } = allowlistedEnvironment(options.environment, {
        home: CONTAINER_HOME,
        extraNames: options.settings.extraEnvironmentNames,
      });
      const uid = process.getuid?.() ?? 0;
      return new ContainerSandbox({
        docker,
        conversationId,
        workspace,
        image: options.settings.container.image,
        environment,
        network: options.settings.network,
        networkName: options.settings.container.network,
        limits: { ...options.settings.limits, cpus: options.settings.container.cpus },
        user: `${uid}:${process.getgid?.() ?? 0}`,
        keepUserId: uid !== 0 && /podman/i.test(engine.probe.engine ?? ""),
        remote: engine.address.remote,
        attachments,
        directory: root,
        labels: serverLabels(),
      });
    }
    if (choice.user) {
      const attachments = options.attachmentsOf?.(conversationId);
      if (attachments) makeDirectories(attachments);
      prepareUserAccess(options.secrets, { workspace, attachments });
      return new UserSandbox({
        conversationId,
        workspace,
        helper: choice.user.helper,
        home: choice.user.home,
        environment: allowlistedEnvironment(options.environment, { home: choice.user.home, extraNames: options.settings.extraEnvironmentNames }),
        limits: options.settings.limits,
        directory: root,
      });
    }
    if (choice.backend === "none") {
      return new NoneSandbox({ conversationId, workspace, environment: options.environment, extraNames: options.settings.extraEnvironmentNames, directory: root });
    }
    const home = insideHome(options.environment.HOME);
    const attachments = options.attachmentsOf?.(conversationId);
    if (attachments) makeDirectories(attachments);
    return new BwrapSandbox({
      attachments,
      conversationId,
      workspace,
      home,
      environment: allowlistedEnvironment(options.environment, { home, extraNames: options.settings.extraEnvironmentNames }),
      network: options.settings.network,
      secrets,
      readOnly,
      cgroups: cgroups!,
      directory: root,
      bwrap: options.bwrap,
    });
  };

  const remove = async (conversationId: string) => {
    const sandbox = sandboxes.get(conversationId);
    sandboxes.delete(conversationId);
    await sandbox?.dispose();
  };

  const sweep = () => {
    const cutoff = Date.now() - idleLimitMs;
    for (const [conversationId, sandbox] of sandboxes) {
      if (!sandbox.busy && sandbox.lastUsed <= cutoff) void remove(conversationId);
    }
  };
  const sweeper = setInterval(sweep, Math.max(1000, Math.min(idleLimitMs, 10 * 60 * 1000)));
  sweeper.unref();

  const handle = {
    disposeNow() {
      restoreProgramLookup();
      for (const sandbox of sandboxes.values()) sandbox.disposeNow();
      if (engine) {
        const ids = [...sandboxes.values()].flatMap((sandbox) => (sandbox instanceof ContainerSandbox && sandbox.createdId ? [sandbox.createdId] : []));
        removeContainersNow(engine.address, ids);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  live.add(handle);

  return {
    report: choice.report,
    hasProgram,
    forConversation(conversationId, workspace) {
      const existing = sandboxes.get(conversationId);
      if (existing && !existing.disposed && !existing.broken && existing.workspace === workspace) return existing;
      if (existing) void existing.dispose();
      const sandbox = create(conversationId, workspace);
      sandboxes.set(conversationId, sandbox);
      return sandbox;
    },
    remove,
    async disposeAll() {
      clearInterval(sweeper);
      restoreProgramLookup();
      live.delete(handle);
      await Promise.all([...sandboxes.keys()].map((conversationId) => remove(conversationId)));
      cgroups?.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
