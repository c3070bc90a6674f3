#!/usr/bin/env node
/**
 * Container checks: builds Dockerfile (gptme-base) and Dockerfile.server (gptme-server) with
 * buildah, runs the server image with podman and checks it from outside, the way a user would.
 *
 * No Docker engine and no registry for base images here, so the script builds local stand-ins for
 * the Dockerfiles' base images (cached between runs, never referenced by the Dockerfiles):
 *   debian:bookworm-slim   debootstrap --variant=minbase from the machine's own apt mirror
 *   node:20-slim,          the debian stand-in + this machine's node, npm, Node headers and
 *   node:20-bookworm-slim  CA bundle (npm inside builds must trust the same CAs as the host)
 *
 * The rootless podman check creates an unprivileged user (gptme-ts-rootless, with /etc/subuid and
 * /etc/subgid ranges) and loads the server image into its storage; the user, its storage and its
 * ranges are removed at the end (also on SIGINT/SIGTERM).
 *
 * If the container tools cannot run here (not root, no namespaces...) it prints a loud SKIP and
 * exits 0. Any failed check exits 1. Containers and volumes are removed; images stay cached.
 * Usage: node scripts/test-containers.mjs [--keep] (keep the test container running)
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const keep = process.argv.includes("--keep");
const started = Date.now();
const minutes = (n) => n * 60_000;

const BASE_IMAGE = "gptme-base";
const SERVER_IMAGE = "gptme-server";
const DEBIAN_STANDIN = "debian:bookworm-slim";
const NODE_STANDINS = ["node:20-slim", "node:20-bookworm-slim"];
const STANDIN_LABEL = "gptme-ts.standin";
const STANDIN_RECIPE = "3"; // bump when the stand-in recipe changes, to rebuild cached stand-ins
const SIZE_GOAL_MB = 500;
const DATA_DIR = "/home/appuser/.local/share/gptme";

// ---------------------------------------------------------------------------------------------
// Output and results

const results = [];
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
const log = (message) => console.log(`[containers ${elapsed()}] ${message}`);
function record(status, name, detail = "") {
  results.push({ status, name, detail });
  console.log(`[containers ${elapsed()}] ${status.padEnd(4)} ${name}${detail ? ` - ${detail}` : ""}`);
}
const pass = (name, detail) => record("PASS", name, detail);
const fail = (name, detail) => record("FAIL", name, detail);
const warn = (name, detail) => record("WARN", name, detail);
function check(name, ok, detail) {
  (ok ? pass : fail)(name, detail);
  return ok;
}

function loudSkip(reason) {
  const bar = "!".repeat(78);
  console.log(`\n${bar}\n!!! CONTAINER CHECKS SKIPPED: ${reason}\n!!! The images were NOT built or tested on this machine.\n${bar}\n`);
  console.log("container checks: skipped (0 passed, 0 failed)");
  process.exit(0);
}

class StepError extends Error {}

// ---------------------------------------------------------------------------------------------
// Processes with bounded time

/** Process groups of the commands in flight (each runs detached, in its own group). */
const running = new Set();

/**
 * Runs a command; resolves { code, stdout, stderr, timedOut } (never rejects). `echo` streams
 * lines matching it to the console; `input` is written to stdin (string or a readable stream).
 */
function run(command, args, { timeoutMs = minutes(2), input, echo, cwd = root, env } = {}) {
  return new Promise((resolvePromise) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let child;
    try {
      child = spawn(command, args, { cwd, env: env ?? process.env, detached: true, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    } catch (error) {
      resolvePromise({ code: 127, stdout, stderr: String(error), timedOut });
      return;
    }
    running.add(child.pid);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    let pending = "";
    const onData = (chunk, isStdout) => {
      const text = chunk.toString();
      if (isStdout) stdout += text;
      else stderr += text;
      if (!echo) return;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop();
      for (const line of lines) if (echo.test(line)) console.log(`    ${line.slice(0, 160)}`);
    };
    child.stdout.on("data", (chunk) => onData(chunk, true));
    child.stderr.on("data", (chunk) => onData(chunk, false));
    child.on("error", (error) => {
      stderr += String(error);
    });
    child.on("close", (code) => {
      running.delete(child.pid);
      clearTimeout(timer);
      resolvePromise({ code: timedOut ? 124 : (code ?? 1), stdout, stderr, timedOut });
    });
    if (child.stdin) {
      child.stdin.on("error", () => {}); // the command may exit without reading its input
      if (typeof input?.pipe === "function") input.pipe(child.stdin);
      else child.stdin.end(input);
    }
  });
}

const tail = (text, lines = 25) => text.trimEnd().split("\n").slice(-lines).join("\n");
const describe = (result) =>
  result.timedOut ? "timed out" : `exit ${result.code}: ${tail(`${result.stderr}\n${result.stdout}`, 12).trim()}`;

/** Runs a command that must succeed, else throws a StepError with its output's tail. */
async function must(what, command, args, options) {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new StepError(`${what} failed (${describe(result)})`);
  return result;
}

const have = async (program) => (await run("sh", ["-c", `command -v ${program}`], { timeoutMs: 10_000 })).code === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// 1. Tools: buildah, podman, runc, debootstrap; containers.conf

/** Program -> Debian package. newuidmap and slirp4netns: rootless podman (the rootless check). */
const tools = { buildah: "buildah", podman: "podman", runc: "runc", debootstrap: "debootstrap", newuidmap: "uidmap", slirp4netns: "slirp4netns" };

async function ensureTools() {
  const missingTools = async () => {
    const missing = [];
    for (const [program, debianPackage] of Object.entries(tools)) if (!(await have(program))) missing.push(debianPackage);
    return missing;
  };
  let missing = await missingTools();
  if (missing.length) {
    if (process.getuid?.() !== 0) loudSkip(`${missing.join(", ")} missing and not root (cannot apt-get install)`);
    if (!(await have("apt-get"))) loudSkip(`${missing.join(", ")} missing and no apt-get`);
    const packages = Object.values(tools);
    log(`installing ${packages.join(" ")} with apt-get (missing: ${missing.join(", ")})`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = await run("apt-get", ["update", "-qq"], { timeoutMs: minutes(5), env });
    if (update.code !== 0) log(`apt-get update failed (${describe(update)})`);
    const install = await run("apt-get", ["install", "-y", "-qq", ...packages], { timeoutMs: minutes(10), env });
    if (install.code !== 0) log(`apt-get install failed (${describe(install)})`);
    missing = await missingTools();
    if (missing.length) loudSkip(`could not install ${missing.join(", ")}`);
  }
  if (process.getuid?.() !== 0) loudSkip("not root: rootless podman and debootstrap are not set up by this script");

  const conf = "/etc/containers/containers.conf";
  if (!existsSync(conf)) {
    mkdirSync(dirname(conf), { recursive: true });
    writeFileSync(
      conf,
      [
        "# Written by gptme-ts scripts/test-containers.mjs: ulimits podman can set here, and runc.",
        "[containers]",
        'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]',
        "",
        "[engine]",
        'runtime = "runc"',
        "",
      ].join("\n"),
    );
    log(`wrote ${conf}`);
  }

  const namespaces = await run("unshare", ["--mount", "--uts", "--ipc", "--pid", "--net", "--fork", "true"], { timeoutMs: 20_000 });
  if (namespaces.code !== 0) loudSkip(`cannot create namespaces (${describe(namespaces)})`);
  const info = await run("podman", ["info", "--format", "{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}"], { timeoutMs: minutes(1) });
  if (info.code !== 0) loudSkip(`podman does not work here (${describe(info)})`);
  const versions = await run("sh", ["-c", "buildah --version; podman --version"], { timeoutMs: 20_000 });
  log(`tools: ${versions.stdout.trim().split("\n").join("; ")}; runtime/storage: ${info.stdout.trim()}`);
}

// ---------------------------------------------------------------------------------------------
// 2. Stand-ins for the base images

/** The machine's own Debian apt sources: [{ uri, suites, components }], read at run time. */
function hostDebianSources() {
  const entries = [];
  const files = [];
  if (existsSync("/etc/apt/sources.list")) files.push("/etc/apt/sources.list");
  if (existsSync("/etc/apt/sources.list.d")) {
    for (const name of readdirSync("/etc/apt/sources.list.d").sort()) {
      if (name.endsWith(".list") || name.endsWith(".sources")) files.push(join("/etc/apt/sources.list.d", name));
    }
  }
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (file.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (key) => stanza.match(new RegExp(`^${key}:\\s*(.+)$`, "im"))?.[1].trim() ?? "";
        if (!/\bdeb\b/.test(field("Types")) || /^no$/i.test(field("Enabled"))) continue;
        for (const uri of field("URIs").split(/\s+/).filter(Boolean)) {
          entries.push({ uri, suites: field("Suites").split(/\s+/).filter(Boolean), components: field("Components").split(/\s+/).filter(Boolean) });
        }
      }
    } else {
      for (const raw of text.split("\n")) {
        const line = raw.replace(/#.*/, "").replace(/\[[^\]]*\]/, " ").trim();
        const [type, uri, suite, ...components] = line.split(/\s+/);
        if (type === "deb" && uri && suite) entries.push({ uri, suites: [suite], components });
      }
    }
  }
  // Debian's own archives only (third-party repositories need keys the stand-in does not have).
  return entries.filter((entry) => /\/debian(-security)?\/?$/.test(entry.uri) && entry.suites.some((suite) => suite.startsWith("bookworm")));
}

async function standinIsCurrent(tag, recipe) {
  const result = await run("podman", ["image", "inspect", "--format", `{{ index .Labels "${STANDIN_LABEL}" }}`, tag], { timeoutMs: 30_000 });
  return result.code === 0 && result.stdout.trim() === recipe;
}

// debian:bookworm-slim's own slimming (docs, man pages, locales; no apt caches).
const slimFiles = {
  "etc/dpkg/dpkg.cfg.d/docker": [
    "path-exclude /usr/share/doc/*",
    "path-include /usr/share/doc/*/copyright",
    "path-exclude /usr/share/groff/*",
    "path-exclude /usr/share/info/*",
    "path-exclude /usr/share/linda/*",
    "path-exclude /usr/share/lintian/*",
    "path-exclude /usr/share/locale/*",
    "path-exclude /usr/share/man/*",
    "",
  ].join("\n"),
  "etc/apt/apt.conf.d/docker-clean": [
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
    'Dir::Cache::pkgcache "";',
    'Dir::Cache::srcpkgcache "";',
    "",
  ].join("\n"),
  "etc/apt/apt.conf.d/docker-no-languages": 'Acquire::Languages "none";\n',
  "etc/apt/apt.conf.d/docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
  "etc/apt/apt.conf.d/docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
};

async function buildDebianStandin() {
  const recipe = STANDIN_RECIPE;
  if (await standinIsCurrent(DEBIAN_STANDIN, recipe)) {
    pass("stand-in debian:bookworm-slim", "cached");
    return;
  }
  const sources = hostDebianSources();
  const main = sources.find((entry) => /\/debian\/?$/.test(entry.uri) && entry.suites.includes("bookworm"));
  if (!main) throw new StepError("no Debian bookworm mirror in /etc/apt/sources.list(.d): cannot debootstrap");
  log(`debootstrap --variant=minbase bookworm from ${main.uri} (a few minutes; cached afterwards)`);
  const work = mkdtempSync(join(tmpdir(), "gptme-debian-"));
  const rootfs = join(work, "rootfs");
  try {
    await must("debootstrap", "debootstrap", ["--variant=minbase", "bookworm", rootfs, main.uri], {
      timeoutMs: minutes(15),
      echo: /^I: (Retrieving|Validating|Extracting|Installing|Configuring) (Release|Packages|core packages|base system)|^I: Base system installed/,
    });
    // The stand-in's apt uses the same Debian sources as this machine (updates and security too).
    const lines = sources.flatMap((entry) => entry.suites.map((suite) => `deb ${entry.uri} ${suite} ${entry.components.join(" ") || "main"}`));
    writeFileSync(join(rootfs, "etc/apt/sources.list"), `${lines.join("\n")}\n`);
    for (const [path, text] of Object.entries(slimFiles)) writeFileSync(join(rootfs, path), text);
    await must("slimming the rootfs", "sh", [
      "-c",
      'cd "$1" && rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/log/*.log usr/share/man/* usr/share/info/* usr/share/locale/* ' +
        '&& find usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete',
      "slim",
      rootfs,
    ]);
    const tar = spawn("tar", ["-C", rootfs, "--numeric-owner", "-c", "."], { stdio: ["ignore", "pipe", "inherit"] });
    await must("podman import", "podman", ["import", "--change", "CMD=[\"bash\"]", "--change", `LABEL ${STANDIN_LABEL}=${recipe}`, "-", DEBIAN_STANDIN], {
      timeoutMs: minutes(5),
      input: tar.stdout,
    });
    pass("stand-in debian:bookworm-slim", `built from ${main.uri}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where this machine's Node lives: binary, npm, headers, CA bundle. */
function hostNode() {
  const node = realpathSync(process.execPath);
  const prefix = dirname(dirname(node));
  const headers = [join(prefix, "include/node"), "/usr/local/include/node", "/usr/include/node"].find((dir) =>
    existsSync(join(dir, "node_api.h")),
  );
  const npm = [join(prefix, "lib/node_modules/npm"), "/usr/local/lib/node_modules/npm", "/usr/lib/node_modules/npm"].find((dir) =>
    existsSync(join(dir, "bin/npm-cli.js")),
  );
  const ca = [process.env.NODE_EXTRA_CA_CERTS, "/etc/ssl/certs/ca-certificates.crt"].find((file) => file && existsSync(file));
  return { node, headers, npm, ca };
}

async function buildNodeStandins() {
  const host = hostNode();
  const recipe = `${STANDIN_RECIPE}-${process.version}`;
  const current = await Promise.all(NODE_STANDINS.map((tag) => standinIsCurrent(tag, recipe)));
  if (current.every(Boolean)) {
    pass("stand-in node:20-slim", `cached (${process.version})`);
    return;
  }
  if (!host.headers || !host.npm) throw new StepError(`host Node headers or npm not found (headers: ${host.headers}, npm: ${host.npm})`);
  const work = mkdtempSync(join(tmpdir(), "gptme-node-"));
  try {
    const context = join(work, "context");
    mkdirSync(join(context, "usr/local/bin"), { recursive: true });
    mkdirSync(join(context, "usr/local/lib/node_modules"), { recursive: true });
    mkdirSync(join(context, "usr/local/include"), { recursive: true });
    mkdirSync(join(context, "usr/local/etc"), { recursive: true });
    mkdirSync(join(context, "usr/local/share/host-ca"), { recursive: true });
    cpSync(host.node, join(context, "usr/local/bin/node"));
    cpSync(host.npm, join(context, "usr/local/lib/node_modules/npm"), { recursive: true, dereference: true });
    cpSync(host.headers, join(context, "usr/local/include/node"), { recursive: true, dereference: true });
    symlinkSync("../lib/node_modules/npm/bin/npm-cli.js", join(context, "usr/local/bin/npm"));
    symlinkSync("../lib/node_modules/npm/bin/npx-cli.js", join(context, "usr/local/bin/npx"));
    const npmrc = [`nodedir=/usr/local`, "update-notifier=false"];
    if (host.ca) {
      cpSync(host.ca, join(context, "usr/local/share/host-ca/ca-certificates.crt"));
      npmrc.push("cafile=/usr/local/share/host-ca/ca-certificates.crt");
    }
    writeFileSync(join(context, "usr/local/etc/npmrc"), `${npmrc.join("\n")}\n`);
    // Like the official image: node and npm under /usr/local, a `node` user with uid 1000.
    writeFileSync(
      join(work, "Containerfile"),
      [
        `FROM ${DEBIAN_STANDIN}`,
        "COPY usr /usr",
        "RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\",
        " && node --version && npm --version",
        `LABEL ${STANDIN_LABEL}=${recipe}`,
        'CMD ["node"]',
        "",
      ].join("\n"),
    );
    log(`building the node:20-slim stand-in (host node ${process.version})`);
    await must("node stand-in build", "buildah", ["build", "--pull=never", "--isolation=chroot", "--network=host", "--format", "docker", "-f", join(work, "Containerfile"), ...NODE_STANDINS.flatMap((tag) => ["-t", tag]), context], {
      timeoutMs: minutes(10),
    });
    pass("stand-in node:20-slim", `${NODE_STANDINS.join(", ")} from host node ${process.version}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 3. The project's images

async function buildImage(name, dockerfile, extra = []) {
  log(`buildah build -f ${dockerfile} -t ${name} ${extra.join(" ")}`);
  const t0 = Date.now();
  const result = await run(
    "buildah",
    ["build", "--pull=never", "--isolation=chroot", "--network=host", "--layers", "--format", "docker", "-f", dockerfile, "-t", name, ...extra, "."],
    { timeoutMs: minutes(25), echo: /^(\[\d+\/\d+\] )?STEP \d+\/\d+|^--> Using cache|^(npm )?(ERR|error)|^Error|^error/ },
  );
  const seconds = ((Date.now() - t0) / 1000).toFixed(0);
  if (result.code !== 0) {
    fail(`build ${name}`, `${describe(result)}`);
    console.log(tail(`${result.stdout}\n${result.stderr}`, 60));
    throw new StepError(`build ${name} failed`);
  }
  pass(`build ${name}`, `${dockerfile}, ${seconds}s`);
}

/**
 * `--build-arg APP_UID=0`: the base (CLI) image builds and runs as root, as it always could; the
 * server image refuses that base with a one-line reason (its tools must never run as root).
 */
async function appUidZeroCheck() {
  const tag = "gptme-base-uid0-check";
  const build = (dockerfile, extra, name) =>
    run("buildah", ["build", "--pull=never", "--isolation=chroot", "--network=host", "--layers", "--force-rm", "--format", "docker", "-f", dockerfile, "-t", name, ...extra, "."], { timeoutMs: minutes(25) });
  try {
    log("buildah build -f Dockerfile --build-arg APP_UID=0 (then Dockerfile.server on it, which must refuse)");
    const base = await build("Dockerfile", ["--build-arg", "APP_UID=0"], tag);
    const who = base.code === 0 ? await podman(["run", "--rm", "--network", "none", "--entrypoint", "id", tag, "-u"], minutes(1)) : base;
    check("--build-arg APP_UID=0: the base (CLI) image builds and runs as uid 0", base.code === 0 && who.stdout.trim() === "0", base.code === 0 ? `id -u: ${who.stdout.trim()}` : describe(base));
    if (base.code !== 0) return;
    const server = await build("Dockerfile.server", ["--build-arg", `BASE=${tag}`], `${tag}-server`);
    const reason = `${server.stdout}\n${server.stderr}`.split("\n").find((line) => line.startsWith("Dockerfile.server: ")) ?? "";
    check("--build-arg APP_UID=0: the server build stops with a one-line reason", server.code !== 0 && /appuser is root/.test(reason), reason || describe(server));
  } finally {
    await podman(["rmi", "-f", "--ignore", tag, `${tag}-server`], minutes(2));
  }
}

async function imageSizeMb(name) {
  const result = await run("podman", ["image", "inspect", "--format", "{{.Size}}", name], { timeoutMs: 30_000 });
  return result.code === 0 ? Number(result.stdout.trim()) / 1e6 : NaN;
}

// ---------------------------------------------------------------------------------------------
// 4. Running the server image

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

async function http(url, { method = "GET", token, body, timeoutMs = 10_000 } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json, type: response.headers.get("content-type") ?? "" };
  } catch (error) {
    return { status: 0, text: String(error?.cause ?? error), json: undefined, type: "" };
  }
}

const podman = (args, timeoutMs = minutes(1)) => run("podman", args, { timeoutMs });

/** What an interrupted run (Ctrl-C, a CI timeout) must still remove. */
const cleanup = { containers: new Set(), volumes: new Set(), rootless: false };
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    console.log(`\n[containers] ${signal}: stopping, removing test containers and volumes`);
    for (const pid of running) {
      try {
        process.kill(-pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    if (!keep) {
      for (const name of cleanup.containers) spawnSync("podman", ["rm", "-f", "--ignore", name], { timeout: 30_000, stdio: "ignore" });
      for (const name of cleanup.volumes) spawnSync("podman", ["volume", "rm", "-f", name], { timeout: 30_000, stdio: "ignore" });
      const user = cleanup.rootless && rootlessUser();
      if (user) {
        const engine = rootlessEngine(user);
        spawnSync("sh", ["-c", `${engine.command} rm -af -t 0`], { timeout: 60_000, stdio: "ignore", cwd: user.home });
        killUserProcesses(user.uid);
        spawnSync("userdel", ["--remove", user.name], { timeout: 60_000, stdio: "ignore" });
        rmSync(user.runtimeDirectory, { recursive: true, force: true });
        dropSubordinateIds(user);
      }
    }
    process.exit(130);
  });
}

async function startServer(name, port, token, volume, extra = []) {
  await podman(["rm", "-f", "--ignore", name], 30_000);
  return must("podman run", "podman", [
    "run", "-d", "--init", "--name", name, ...extra,
    "-p", `127.0.0.1:${port}:5700`,
    "-e", `GPTME_SERVER_TOKEN=${token}`,
    "-v", `${volume}:${DATA_DIR}`,
    SERVER_IMAGE,
  ], { timeoutMs: minutes(1) });
}

/** Polls `podman healthcheck run` (the image's HEALTHCHECK) until healthy; bounded. */
async function waitHealthy(name, timeoutMs = 90_000, engine = podman) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await engine(["healthcheck", "run", name], 30_000);
    if (last.code === 0) return { ok: true, seconds: ((timeoutMs - (deadline - Date.now())) / 1000).toFixed(1) };
    const state = await engine(["inspect", "--format", "{{.State.Status}}", name], 15_000);
    if (state.stdout.trim() !== "running") return { ok: false, detail: `container ${state.stdout.trim() || "gone"}` };
    await sleep(1000);
  }
  return { ok: false, detail: `not healthy after ${timeoutMs / 1000}s (${describe(last)})` };
}

async function serverChecks() {
  const suffix = `${process.pid}-${randomBytes(3).toString("hex")}`;
  const name = `gptme-ts-test-${suffix}`;
  const volume = `gptme-ts-test-data-${suffix}`;
  const token = randomBytes(24).toString("hex");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const conversationId = `container-check-${suffix}`;
  try {
    const config = await podman(["image", "inspect", "--format", "{{json .Config.Healthcheck}} {{.Config.User}} {{json .Config.Entrypoint}} {{json .Config.ExposedPorts}} {{json .Config.Volumes}}", SERVER_IMAGE], 30_000);
    const text = config.stdout;
    check("server image config", /127\.0\.0\.1:5700\/health/.test(text) && /5700\/tcp/.test(text) && text.includes(DATA_DIR) && /server-entrypoint\.sh","serve"/.test(text), text.trim().slice(0, 300));

    log(`podman run ${SERVER_IMAGE} as ${name} on 127.0.0.1:${port}, volume ${volume}`);
    cleanup.containers.add(name);
    cleanup.volumes.add(volume);
    await podman(["volume", "create", volume], 30_000);
    // A volume as images before the server/tools split left it: files of appuser.
    const old = await podman(["run", "--rm", "--network", "none", "--user", "appuser", "-v", `${volume}:${DATA_DIR}`, "--entrypoint", "sh", BASE_IMAGE, "-c", `echo old > ${DATA_DIR}/old.txt`], minutes(1));
    if (old.code !== 0) fail("an old volume's files", describe(old));
    await startServer(name, port, token, volume, ["-e", "OPENAI_API_KEY=sk-provider-key-in-env"]);
    const healthy = await waitHealthy(name);
    if (!check("HEALTHCHECK passes (podman healthcheck run)", healthy.ok, healthy.ok ? `healthy after ${healthy.seconds}s` : healthy.detail)) {
      const logs = await podman(["logs", name], 30_000);
      console.log(tail(`${logs.stdout}\n${logs.stderr}`, 40));
      throw new StepError("server did not become healthy");
    }

    const health = await http(`${base}/health`);
    check("GET /health without token -> 200 {status:ok}", health.status === 200 && health.json?.status === "ok", `${health.status} ${health.text.slice(0, 80)}`);
    const anonymous = await http(`${base}/api/v2/conversations`);
    check("GET /api/v2/conversations without token -> 401 JSON", anonymous.status === 401 && anonymous.json !== undefined, `${anonymous.status} ${anonymous.text.slice(0, 80)}`);
    const wrong = await http(`${base}/api/v2/conversations`, { token: "not-the-token" });
    check("GET /api/v2/conversations with a wrong token -> 401", wrong.status === 401, `${wrong.status}`);
    const empty = await http(`${base}/api/v2/conversations`, { token });
    check("GET /api/v2/conversations with token -> [] (fresh volume)", empty.status === 200 && Array.isArray(empty.json) && empty.json.length === 0, `${empty.status} ${empty.text.slice(0, 80)}`);

    const logs = await podman(["logs", name], 30_000);
    const output = `${logs.stdout}\n${logs.stderr}`;
    const tokenLine = output.split("\n").find((line) => /^\s+Token:/.test(line)) ?? "";
    check("token banner in podman logs", tokenLine.includes(token), tokenLine ? "`  Token:` line shows GPTME_SERVER_TOKEN" : tail(output, 5));
    const dbLine = output.split("\n").find((line) => /^\s+Database:/.test(line)) ?? "";
    check("database on the data volume", dbLine.includes(`${DATA_DIR}/gptme.db`), dbLine.trim());
    const toolsLine = output.split("\n").find((line) => /^\s+Tools:/.test(line)) ?? "";
    const unavailable = toolsLine.match(/\(unavailable: ([^)]*)\)/)?.[1] ?? "";
    if (/\b(shell|tmux)\b/.test(unavailable)) fail("agent tools available in the image", toolsLine.trim());
    else if (unavailable) warn("agent tools available in the image", toolsLine.trim());
    else check("agent tools available in the image", toolsLine !== "", toolsLine.trim());

    const top = await podman(["top", name, "user", "pid", "args"], 30_000);
    const serverProcess = top.stdout.split("\n").find((line) => line.includes("gptme-server") || line.includes("main.js")) ?? "";
    check("gptme-server runs as its own user gptme (podman top)", /^\s*gptme\b/.test(serverProcess), serverProcess.trim().replace(/\s+/g, " ").slice(0, 120));
    const serverPid = serverProcess.trim().split(/\s+/)[1];
    const oldFile = await podman(["exec", name, "stat", "-c", "%U %a", `${DATA_DIR}/old.txt`, DATA_DIR], 30_000);
    check("an old volume's files are given to gptme at start, the folder private", oldFile.stdout.trim() === "gptme 644\ngptme 700", oldFile.stdout.trim().replace(/\n/g, "; "));
    await escapeChecks(name, base, token, token, serverPid);
    const programs = "bash git tmux curl tree python3 rg gh gptme gptme-server gptme-util"; // pandoc: opt-in (EXTRA_PACKAGES)
    const which = await podman(["exec", name, "sh", "-c", `missing=; for p in ${programs}; do command -v "$p" >/dev/null || missing="$missing $p"; done; echo "missing:$missing"; git config user.email`], 30_000);
    check("runtime programs on PATH, git identity set", which.code === 0 && /^missing:\s*$/m.test(which.stdout) && /@/.test(which.stdout), which.stdout.trim().replace(/\n/g, "; "));
    const writable = await podman(["exec", "--user", "appuser", name, "sh", "-c", `touch /workspace/.probe && rm /workspace/.probe && echo ok`], 30_000);
    check("appuser (the tools) can write /workspace", writable.stdout.trim() === "ok", writable.stdout.trim() || describe(writable));

    const created = await http(`${base}/api/v2/conversations/${conversationId}`, { method: "PUT", token, body: {} });
    check("PUT /api/v2/conversations/<id> creates a conversation", created.status >= 200 && created.status < 300, `${created.status} ${created.text.slice(0, 80)}`);
    const listed = await http(`${base}/api/v2/conversations`, { token });
    const ids = (json) => (Array.isArray(json) ? json.map((item) => item?.id ?? item?.name ?? item?.conversation_id) : []);
    check("the conversation is listed", ids(listed.json).includes(conversationId), `${listed.status} ${listed.text.slice(0, 120)}`);

    const stopStarted = Date.now();
    const stop = await podman(["stop", "-t", "15", name], 60_000);
    const stopSeconds = (Date.now() - stopStarted) / 1000;
    const exit = await podman(["inspect", "--format", "{{.State.ExitCode}}", name], 15_000);
    check("SIGTERM stops the server cleanly", stop.code === 0 && stopSeconds < 10 && exit.stdout.trim() === "0", `stopped in ${stopSeconds.toFixed(1)}s, exit code ${exit.stdout.trim()}`);

    log("replacing the container (rm -f, run again on the same volume)");
    await podman(["rm", "-f", name], 30_000);
    await startServer(name, port, token, volume);
    const again = await waitHealthy(name);
    check("replacement container healthy", again.ok, again.ok ? `healthy after ${again.seconds}s` : again.detail);
    const persisted = await http(`${base}/api/v2/conversations`, { token });
    check("conversation survives container replacement (data volume)", ids(persisted.json).includes(conversationId), `${persisted.status} ${persisted.text.slice(0, 120)}`);

    // Docker's default seccomp profile refuses new user namespaces; this one does the same.
    log("again under a seccomp profile that refuses user namespaces, as Docker's default does");
    await podman(["rm", "-f", name], 30_000);
    await startServer(name, port, token, volume, ["--security-opt", `seccomp=${join(root, "docker", "seccomp-no-userns.json")}`]);
    const confined = await waitHealthy(name);
    if (check("healthy under the no-userns seccomp profile", confined.ok, confined.ok ? `healthy after ${confined.seconds}s` : confined.detail)) {
      const unshare = await podman(["exec", "--user", "gptme", name, "sh", "-c", "unshare --user true; echo rc=$?"], 30_000);
      check("the profile refuses user namespaces (as Docker's default)", /rc=[1-9]/.test(unshare.stdout), unshare.stdout.trim().replace(/\n/g, "; "));
      const confinedTop = await podman(["top", name, "user", "pid", "args"], 30_000);
      const pid = (confinedTop.stdout.split("\n").find((line) => line.includes("gptme-server")) ?? "").trim().split(/\s+/)[1];
      await escapeChecks(name, base, token, token, pid, " (no-userns seccomp)");
    }
  } finally {
    if (keep) {
      log(`--keep: container ${name} left running on ${base} (token ${token}); volume ${volume}`);
    } else {
      await podman(["rm", "-f", "--ignore", name], 60_000);
      await podman(["volume", "rm", "-f", volume], 30_000);
    }
  }
}

/**
 * What a prompt-injected model would try, run exactly as the server runs its tools in the image
 * (the `user` backend: as gptme, through the setuid helper, as appuser).
 */
async function escapeChecks(name, base, token, secret, serverPid, label = "", engine = podman) {
  const root = await http(`${base}/api/v2`, { token });
  const sandbox = root.json?.sandbox ?? {};
  check(`GET /api/v2 reports the user backend, isolated${label}`, sandbox.backend === "user" && sandbox.isolated === true && /not conversations from each other/.test(sandbox.warning ?? ""), JSON.stringify(sandbox).slice(0, 200));
  // As the server starts them: from the server's user, with the allowlisted environment only
  // (`podman exec` alone would hand them the container's whole environment, the token included).
  const asTools = (script) =>
    engine(["exec", "--user", "gptme", name, "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "/usr/local/libexec/gptme/run-as-appuser", "bash", "-c", script], 30_000);
  const who = await asTools("id -un");
  check(`the helper runs the tools as appuser${label}`, who.stdout.trim() === "appuser", who.stdout.trim() || describe(who));
  const environs = await asTools(`for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f" 2>/dev/null; done; cat /proc/1/environ /proc/${serverPid}/environ 2>&1; env`);
  check(`the tools cannot read the token or a key from any /proc/*/environ or their env${label}`, !environs.stdout.includes(secret) && !environs.stdout.includes("sk-provider-key-in-env") && /Permission denied/.test(environs.stdout), `${environs.stdout.length} bytes read, no token`);
  const store = await asTools(`ls ${DATA_DIR} 2>&1; cat ${DATA_DIR}/gptme.db 2>&1 | head -c 200; echo; ls /home/appuser/.config/gptme 2>&1`);
  check(`the tools cannot list or read the store and the config${label}`, (store.stdout.match(/Permission denied/g) ?? []).length >= 3 && !store.stdout.includes("SQLite"), store.stdout.trim().replace(/\n/g, "; ").slice(0, 200));
  const kill = await asTools(`kill -9 ${serverPid}; echo "kill=$?"`);
  const alive = await http(`${base}/health`);
  check(`the tools cannot signal the server${label}`, /kill=1/.test(kill.stdout) && alive.status === 200, `${kill.stdout.trim()} ${kill.stderr.trim()}; /health ${alive.status}`);
  // From a shell of appuser, as the tools would try (podman exec of the file itself is runc's exec, not appuser's).
  const direct = await engine(["exec", "--user", "appuser", name, "sh", "-c", "/usr/local/libexec/gptme/run-as-appuser id"], 30_000);
  check(`appuser cannot run the helper itself${label}`, direct.code !== 0 && /Permission denied|permission denied/.test(`${direct.stdout}${direct.stderr}`), `${direct.stderr.trim().slice(0, 120)}`);
}

async function cliChecks() {
  const expected = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  const result = await podman(["run", "--rm", "--network", "none", BASE_IMAGE, "--version"], minutes(1));
  const output = `${result.stdout}${result.stderr}`.trim();
  if (result.code === 0 && output.includes(expected)) {
    pass("gptme-base --version", output.split("\n")[0]);
  } else if (!existsSync(join(root, "adapters/cli/main.ts")) && !existsSync(join(root, "adapters/cli/main.tsx"))) {
    warn("gptme-base --version", `the CLI (adapters/cli/main.ts) is not written yet - NOT CHECKED (${output.split("\n").pop()?.slice(0, 100)})`);
  } else {
    fail("gptme-base --version", `expected ${expected}: ${describe(result)}`);
  }
  const user = await podman(["run", "--rm", "--network", "none", "--entrypoint", "sh", BASE_IMAGE, "-c", "id -un; pwd"], minutes(1));
  check("gptme-base runs as appuser in /workspace", user.stdout.trim() === "appuser\n/workspace", user.stdout.trim().replace(/\n/g, " "));
}

// ---------------------------------------------------------------------------------------------
// 4c. The project at /workspace: the tools write it, whoever owns it

/**
 * Runs `script` as the agent's shell tool runs it: a conversation working in /workspace whose
 * last reply is a shell block, re-run through the API with auto-confirm (no model is asked before
 * the tool runs). Resolves with the tool's output as saved in the conversation.
 */
async function shellThroughApi(base, token, conversationId, script) {
  const created = await http(`${base}/api/v2/conversations/${conversationId}`, {
    method: "PUT",
    token,
    body: {
      auto_confirm: true,
      config: { chat: { workspace: "/workspace" } },
      messages: [{ role: "user", content: "run it" }, { role: "assistant", content: `\`\`\`shell\n${script}\n\`\`\`` }],
    },
  });
  if (created.status !== 200) return { ok: false, output: `PUT ${created.status} ${created.text.slice(0, 160)}` };
  const rerun = await http(`${base}/api/v2/conversations/${conversationId}/rerun`, { method: "POST", token, body: { session_id: created.json?.session_id } });
  if (rerun.status !== 200) return { ok: false, output: `rerun ${rerun.status} ${rerun.text.slice(0, 160)}` };
  const deadline = Date.now() + minutes(2);
  while (Date.now() < deadline) {
    const log = (await http(`${base}/api/v2/conversations/${conversationId}`, { token })).json?.log ?? [];
    const reply = log.findLastIndex((message) => message.role === "assistant");
    const output = log.slice(reply + 1).find((message) => message.role === "system");
    if (reply >= 0 && output) return { ok: true, output: output.content };
    await sleep(500);
  }
  return { ok: false, output: "no tool output in the conversation after 2 minutes" };
}

/** What the tools run in each project: a new file, a new folder, and an append to a file already there. */
const PROJECT_SCRIPT = "id -un; echo written > by-tools.txt && mkdir -p new-folder && echo nested > new-folder/file.txt && echo appended >> existing/file.txt && echo WROTE";

function makeProject(parent, owner) {
  const project = mkdtempSync(join(parent, "gptme-project-"));
  mkdirSync(join(project, "existing"));
  writeFileSync(join(project, "existing", "file.txt"), "existing\n");
  for (const path of [project, join(project, "existing")]) chmodSync(path, 0o755);
  chmodSync(join(project, "existing", "file.txt"), 0o644);
  for (const path of [project, join(project, "existing"), join(project, "existing", "file.txt")]) chownSync(path, owner.uid, owner.gid);
  return project;
}

const ownerOf = (path) => {
  try {
    const stat = statSync(path);
    return `${stat.uid}:${stat.gid}`;
  } catch {
    return "missing";
  }
};

/**
 * Starts the server image on `project` (with `runArgs`, through `engine`: podman as root or as the
 * rootless user), has the shell tool write there through the API, and checks the result on the host.
 */
async function projectCheck({ label, project, runArgs = [], engine = podman, newFilesOwner, beforeStart = () => {}, afterTools = async () => {} }) {
  const suffix = `${process.pid}-${randomBytes(3).toString("hex")}`;
  const name = `gptme-ts-test-project-${suffix}`;
  const volume = `gptme-ts-test-project-data-${suffix}`;
  const token = randomBytes(24).toString("hex");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  cleanup.containers.add(name);
  try {
    beforeStart();
    log(`${label}: podman run ${runArgs.join(" ")} -v ${project}:/workspace`);
    const started = await engine([
      "run", "-d", "--init", "--name", name, ...runArgs,
      "-p", `127.0.0.1:${port}:5700`,
      "-e", `GPTME_SERVER_TOKEN=${token}`,
      "-e", "OPENAI_API_KEY=sk-provider-key-in-env",
      "-v", `${volume}:${DATA_DIR}`,
      "-v", `${project}:/workspace`,
      SERVER_IMAGE,
    ], minutes(2));
    if (started.code !== 0) throw new StepError(`${label}: podman run failed (${describe(started)})`);
    const healthy = await waitHealthy(name, 90_000, engine);
    const logs = await engine(["logs", name], 30_000);
    const startLines = `${logs.stdout}\n${logs.stderr}`.split("\n").filter((line) => line.startsWith("gptme:"));
    if (!check(`${label}: server healthy`, healthy.ok, healthy.ok ? `after ${healthy.seconds}s; ${startLines.join(" ").slice(0, 160)}` : healthy.detail)) {
      console.log(tail(`${logs.stdout}\n${logs.stderr}`, 30));
      return;
    }
    const conversationId = `project-${suffix}`;
    const result = await shellThroughApi(base, token, conversationId, PROJECT_SCRIPT);
    const written = join(project, "by-tools.txt");
    const content = existsSync(written) ? readFileSync(written, "utf8") : "";
    check(
      `${label}: the shell tool, run through the API, writes the project`,
      result.ok && /^appuser$/m.test(result.output) && /WROTE/.test(result.output) && content === "written\n" &&
        readFileSync(join(project, "existing", "file.txt"), "utf8") === "existing\nappended\n" && existsSync(join(project, "new-folder", "file.txt")),
      result.output.replace(/\s+/g, " ").slice(0, 200),
    );
    const owners = [written, join(project, "new-folder"), join(project, "new-folder", "file.txt")].map(ownerOf);
    check(`${label}: new files belong to ${newFilesOwner} on the host`, owners.every((owner) => owner === newFilesOwner), owners.join(", "));
    const top = await engine(["top", name, "user", "pid", "args"], 30_000);
    const serverPid = (top.stdout.split("\n").find((line) => line.includes("gptme-server")) ?? "").trim().split(/\s+/)[1];
    await escapeChecks(name, base, token, token, serverPid, ` (${label})`, engine);
    await afterTools({ base, token, conversationId, startLines });
    return { name, engine };
  } finally {
    if (!keep) {
      await engine(["rm", "-f", "--ignore", name], 60_000);
      await engine(["volume", "rm", "-f", volume], 30_000);
    }
    cleanup.containers.delete(name);
  }
}

async function rootOwnedProjectCheck(parent) {
  const project = makeProject(parent, { uid: 0, gid: 0 });
  // Links the agent could have left in the project before a restart: the entrypoint's ACLs must not follow them.
  symlinkSync(DATA_DIR, join(project, "store-link"));
  symlinkSync("/usr/local/libexec/gptme", join(project, "helper-link"));
  const appUid = Number((await podman(["run", "--rm", "--entrypoint", "id", SERVER_IMAGE, "-u", "appuser"], minutes(1))).stdout.trim());
  await projectCheck({ label: "root-owned project", project, newFilesOwner: `${appUid}:${appUid}` });
  check(
    "root-owned project: files already there keep their owner (root)",
    [project, join(project, "existing"), join(project, "existing", "file.txt")].every((path) => ownerOf(path) === "0:0"),
    [project, join(project, "existing", "file.txt")].map(ownerOf).join(", "),
  );
}

async function userProjectCheck(parent) {
  const project = makeProject(parent, { uid: 1234, gid: 1234 });
  await projectCheck({ label: "project of uid 1234", project, newFilesOwner: "1234:1234" });
  check("project of uid 1234: files already there keep their owner", ownerOf(join(project, "existing", "file.txt")) === "1234:1234", ownerOf(join(project, "existing", "file.txt")));
}

/**
 * A project the server's user cannot enter (mode 700, owned by uid 1234): the tools (appuser, given
 * that uid) still work in it, because the helper enters the folder after switching users; the
 * workspace browser, which reads as the server, answers 403, and the log says why, with the fix.
 */
async function unreachableProjectCheck(parent) {
  const project = makeProject(parent, { uid: 1234, gid: 1234 });
  chmodSync(project, 0o700);
  await projectCheck({
    label: "project of mode 700 (uid 1234)",
    project,
    newFilesOwner: "1234:1234",
    afterTools: async ({ base, token, conversationId, startLines }) => {
      const listing = await http(`${base}/api/v2/conversations/${conversationId}/workspace`, { token });
      check("project of mode 700: the workspace browser answers 403 with a reason, not a 500", listing.status === 403 && /permission denied/.test(listing.json?.error ?? ""), `${listing.status} ${listing.text.slice(0, 160)}`);
      const line = startLines.find((text) => text.includes("cannot read /workspace")) ?? "";
      check("project of mode 700: the log says the server cannot read it, with the fix", /chmod 755/.test(line), line || "no such line");
    },
  });
}

// Rootless podman, for real: an unprivileged user of this machine with its own podman storage.
const ROOTLESS_USER = "gptme-ts-rootless";
const ROOTLESS_RUN_ARGS = ["--userns=keep-id", "--user", "root"]; // the README's line

function rootlessUser() {
  const entry = spawnSync("getent", ["passwd", ROOTLESS_USER], { encoding: "utf8" }).stdout.trim();
  if (!entry) return undefined;
  const [name, , uid, gid, , home] = entry.split(":");
  return { name, uid: Number(uid), gid: Number(gid), home, runtimeDirectory: `/run/user/${uid}` };
}

/** `podman ...` as the rootless user, with the environment a login would give it. */
function rootlessEngine(user) {
  const environment = [`PATH=${process.env.PATH}`, `HOME=${user.home}`, `USER=${user.name}`, `LOGNAME=${user.name}`, `XDG_RUNTIME_DIR=${user.runtimeDirectory}`];
  const engine = (args, timeoutMs = minutes(1)) => run("runuser", ["-u", user.name, "--", "env", "-i", ...environment, "podman", ...args], { timeoutMs, cwd: user.home });
  engine.command = `runuser -u ${user.name} -- env -i ${environment.join(" ")} podman`;
  return engine;
}

async function setUpRootlessUser() {
  await tearDownRootlessUser(); // what a killed run left
  await must("useradd", "useradd", ["--create-home", "--shell", "/bin/sh", ROOTLESS_USER], { timeoutMs: 30_000 });
  cleanup.rootless = true;
  const user = rootlessUser();
  // Subordinate ids for its user namespace: useradd gives them where login.defs says so; else the next free range.
  for (const [file, option] of [["/etc/subuid", "--add-subuids"], ["/etc/subgid", "--add-subgids"]]) {
    const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((line) => line.includes(":")) : [];
    if (lines.some((line) => [user.name, String(user.uid)].includes(line.split(":")[0]))) continue;
    const next = Math.max(100_000, ...lines.map((line) => Number(line.split(":")[1]) + Number(line.split(":")[2])));
    await must(`usermod ${option}`, "usermod", [option, `${next}-${next + 65_535}`, user.name], { timeoutMs: 30_000 });
  }
  // What a login session (systemd-logind) would make; none here.
  mkdirSync(user.runtimeDirectory, { recursive: true, mode: 0o700 });
  chownSync(user.runtimeDirectory, user.uid, user.gid);
  // The kernel's overlayfs works unprivileged here; podman 4.3 would otherwise pick vfs (a full copy per layer).
  const containersConfig = join(user.home, ".config", "containers");
  mkdirSync(containersConfig, { recursive: true });
  writeFileSync(join(containersConfig, "storage.conf"), '[storage]\ndriver = "overlay"\n');
  for (const path of [join(user.home, ".config"), containersConfig, join(containersConfig, "storage.conf")]) chownSync(path, user.uid, user.gid);
  const engine = rootlessEngine(user);
  log(`rootless: loading ${SERVER_IMAGE} into ${user.name}'s own storage (podman save | podman load)`);
  await must("podman save | rootless podman load", "bash", ["-o", "pipefail", "-c", `podman save ${SERVER_IMAGE} | ${engine.command} load`], { timeoutMs: minutes(10) });
  const info = await engine(["info", "--format", "{{.Host.Security.Rootless}} {{.Store.GraphDriverName}}"], minutes(1));
  pass("rootless podman set up", `user ${user.name} (uid ${user.uid}), rootless/storage: ${info.stdout.trim()}`);
  return { user, engine };
}

async function tearDownRootlessUser() {
  const user = rootlessUser();
  if (!user) return;
  const engine = rootlessEngine(user);
  await engine(["rm", "-af"], minutes(2));
  await engine(["system", "reset", "--force"], minutes(3));
  killUserProcesses(user.uid);
  const removed = await run("userdel", ["--remove", user.name], { timeoutMs: minutes(2) });
  if (removed.code !== 0 && rootlessUser()) log(`userdel ${user.name}: ${describe(removed)}`);
  rmSync(user.runtimeDirectory, { recursive: true, force: true });
  dropSubordinateIds(user);
  cleanup.rootless = false;
}

/** podman's pause process, conmon and slirp4netns of the test user outlive its commands: stopped by pid. */
function killUserProcesses(uid) {
  const pids = spawnSync("pgrep", ["-u", String(uid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

function dropSubordinateIds(user) {
  for (const file of ["/etc/subuid", "/etc/subgid"]) {
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, "utf8").split("\n");
    const kept = lines.filter((line) => ![user.name, String(user.uid)].includes(line.split(":")[0]));
    if (kept.length !== lines.length) writeFileSync(file, kept.join("\n"));
  }
}

async function rootlessProjectCheck() {
  let engine;
  try {
    const setup = await setUpRootlessUser();
    engine = setup.engine;
    const { user } = setup;
    const project = makeProject(user.home, user);
    const checked = await projectCheck({ label: "rootless podman (--userns=keep-id --user root)", project, runArgs: ROOTLESS_RUN_ARGS, engine, newFilesOwner: `${user.uid}:${user.gid}` });
    if (checked) check("rootless podman: files already there keep their owner (the user)", ownerOf(join(project, "existing", "file.txt")) === `${user.uid}:${user.gid}`, ownerOf(join(project, "existing", "file.txt")));
  } finally {
    if (!keep) await tearDownRootlessUser();
    else log(`--keep: user ${ROOTLESS_USER} and its podman storage left in place`);
  }
}

async function projectChecks() {
  const parent = mkdtempSync(join(tmpdir(), "gptme-projects-"));
  chmodSync(parent, 0o755);
  try {
    for (const checkProject of [rootOwnedProjectCheck, userProjectCheck, unreachableProjectCheck]) {
      try {
        await checkProject(parent);
      } catch (error) {
        if (!(error instanceof StepError)) throw error;
        fail(checkProject.name, error.message);
      }
    }
    try {
      await rootlessProjectCheck();
    } catch (error) {
      if (!(error instanceof StepError)) throw error;
      fail("rootless podman", error.message);
    }
  } finally {
    if (!keep) rmSync(parent, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 4b. The `container` sandbox backend against podman's Docker-compatible API

/**
 * Starts `podman system service` on a private socket and runs the container backend's tests (its
 * own file and the escape tests' container part) against the base image. Skipped tests count as
 * failures here: this is the place they must run.
 */
async function sandboxBackendChecks() {
  const directory = mkdtempSync(join(tmpdir(), "gptme-podman-api-"));
  const socket = join(directory, "podman.sock");
  const service = spawn("podman", ["system", "service", "--time=0", `unix://${socket}`], { stdio: "ignore", detached: true });
  running.add(service.pid);
  try {
    let ready = false;
    for (let attempt = 0; attempt < 100 && !ready; attempt++) {
      ready = existsSync(socket) && (await run("curl", ["-sf", "--unix-socket", socket, "http://d/_ping"], { timeoutMs: 5000 })).code === 0;
      if (!ready) await sleep(200);
    }
    if (!check("podman API service starts", ready, socket)) return;
    const report = join(directory, "vitest.json");
    const tests = await run(
      "npx",
      ["vitest", "run", "test/sandbox/container.test.ts", "test/server/sandbox-escape.test.ts", "-t", "container", "--reporter=json", `--outputFile=${report}`],
      { timeoutMs: minutes(20), env: { ...process.env, GPTME_TEST_DOCKER_HOST: `unix://${socket}`, GPTME_TEST_SANDBOX_IMAGE: BASE_IMAGE } },
    );
    let results;
    try {
      results = JSON.parse(readFileSync(report, "utf8"));
    } catch {
      fail("container sandbox tests", `no report (${describe(tests)})`);
      return;
    }
    const ran = results.testResults.flatMap((file) => file.assertionResults).filter((test) => /container/.test(test.fullName));
    for (const test of ran) {
      const status = test.status === "passed" ? "PASS" : "FAIL";
      record(status, `container sandbox: ${test.title}`, test.status === "passed" ? "" : test.status === "failed" ? (test.failureMessages[0] ?? "").split("\n")[0].slice(0, 200) : "skipped (counts as a failure here)");
    }
    check("container sandbox tests ran", ran.length >= 14 && tests.code === 0, `${ran.length} tests, vitest exit ${tests.code}`);
  } finally {
    try {
      process.kill(-service.pid, "SIGTERM");
    } catch {
      // already gone
    }
    running.delete(service.pid);
    rmSync(directory, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Static checks: docker-compose.yml, .env.example, dockerfilelint

async function composeChecks() {
  let service;
  try {
    const { YAML } = await import("zx");
    service = YAML.parse(readFileSync(join(root, "docker-compose.yml"), "utf8"))?.services?.["gptme-server"];
  } catch (error) {
    fail("docker-compose.yml parses (zx's YAML; run npm ci first)", String(error));
    return;
  }
  if (!check("docker-compose.yml has a gptme-server service", !!service)) return;
  const ports = (service.ports ?? []).map(String);
  const volumes = (service.volumes ?? []).map(String);
  const envFiles = [service.env_file ?? []].flat();
  check(
    "docker-compose.yml: loopback port, .env, data volume, /workspace, restart, server build",
    ports.length > 0 && ports.every((port) => port.startsWith("127.0.0.1:")) && ports.some((port) => port.endsWith(":5700")) &&
      envFiles.includes(".env") &&
      volumes.some((volume) => volume.endsWith(`:${DATA_DIR}`)) && volumes.some((volume) => volume.endsWith(":/workspace")) &&
      service.restart === "unless-stopped" && service.build?.dockerfile === "Dockerfile.server" && service.build?.args?.BASE === BASE_IMAGE &&
      !("healthcheck" in service),
    `ports ${ports.join(",")}; volumes ${volumes.join(", ")}`,
  );
  const example = readFileSync(join(root, ".env.example"), "utf8");
  const keys = example.split("\n").filter((line) => /^[A-Z_]+=/.test(line)).map((line) => line.split("=")[0]);
  const wanted = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENROUTER_API_KEY", "GPTME_SERVER_TOKEN"];
  check(
    ".env.example: provider keys and GPTME_SERVER_TOKEN, blank, no GPTME_DISABLE_AUTH",
    wanted.every((key) => keys.includes(key)) && !/GPTME_DISABLE_AUTH/.test(example) && example.split("\n").every((line) => !/^[A-Z_]+=./.test(line)),
    keys.join(", "),
  );
}

async function lint() {
  // One rule off: `missing_tag` flags Dockerfile.server's `FROM $BASE`, whose tag is the build arg.
  const config = mkdtempSync(join(tmpdir(), "gptme-lint-"));
  writeFileSync(join(config, ".dockerfilelintrc"), 'rules:\n  missing_tag: "off"\n');
  const result = await run("npx", ["--yes", "dockerfilelint@1.8.0", "-c", config, "Dockerfile", "Dockerfile.server"], { timeoutMs: minutes(4) });
  rmSync(config, { recursive: true, force: true });
  const output = `${result.stdout}\n${result.stderr}`;
  if (result.code !== 0 && /npm (ERR!|error) (code|network|errno)|ENOTFOUND|ETIMEDOUT|ECONNREFUSED|E404|EAI_AGAIN|CERT|could not determine executable/i.test(output)) {
    warn("dockerfilelint", `could not fetch dockerfilelint@1.8.0 from the npm registry - lint SKIPPED (${tail(output, 2).replace(/\n/g, " ")})`);
    return;
  }
  if (!check("dockerfilelint Dockerfile Dockerfile.server", result.code === 0 && !result.timedOut, result.timedOut ? "timed out" : tail(output, 3).replace(/\s+/g, " ").trim())) {
    console.log(tail(output, 40));
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  log(`gptme-ts container checks in ${root}`);
  await composeChecks();
  await ensureTools();
  await lint();
  try {
    await buildDebianStandin();
    const probe = await run("podman", ["run", "--rm", "--network", "none", DEBIAN_STANDIN, "true"], { timeoutMs: minutes(1) });
    if (probe.code !== 0) loudSkip(`podman cannot run a container here (${describe(probe)})`);
    await buildNodeStandins();
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    fail("base image stand-ins", error.message);
    return;
  }
  try {
    await buildImage(BASE_IMAGE, "Dockerfile");
    await buildImage(SERVER_IMAGE, "Dockerfile.server", ["--build-arg", `BASE=${BASE_IMAGE}`]);
  } catch (error) {
    if (error instanceof StepError) return;
    throw error;
  }
  const baseSize = await imageSizeMb(BASE_IMAGE);
  const serverSize = await imageSizeMb(SERVER_IMAGE);
  const nodeSize = await imageSizeMb(NODE_STANDINS[0]);
  check(`server image < ${SIZE_GOAL_MB} MB`, serverSize < SIZE_GOAL_MB, `${BASE_IMAGE} ${baseSize.toFixed(0)} MB, ${SERVER_IMAGE} ${serverSize.toFixed(0)} MB (on a node:20-slim stand-in of ${nodeSize.toFixed(0)} MB)`);
  await cliChecks();
  await appUidZeroCheck();
  await sandboxBackendChecks();
  try {
    await serverChecks();
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    fail("server checks", error.message);
  }
  await projectChecks();
  // Images superseded by this build (untagged, unused) would otherwise pile up run after run; the
  // tagged images and their layers stay as the cache for the next run.
  const prune = await run("podman", ["image", "prune", "--force"], { timeoutMs: minutes(3) });
  if (prune.code === 0 && prune.stdout.trim()) log(`removed ${prune.stdout.trim().split("\n").length} superseded image(s)`);
}

/**
 * One run at a time on a machine: concurrent runs would retag each other's images (and one's
 * image prune could remove the other's build layers). The lock file holds the owner's pid.
 */
async function acquireLock(timeoutMs = minutes(40)) {
  const lock = join(tmpdir(), "gptme-ts-test-containers.lock");
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  while (Date.now() < deadline) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      const release = () => {
        try {
          if (readFileSync(lock, "utf8") === String(process.pid)) rmSync(lock, { force: true });
        } catch {
          // already gone
        }
      };
      process.on("exit", release);
      return;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(lock, "utf8").trim());
      } catch {
        continue; // released in between
      }
      let alive = false;
      try {
        process.kill(owner, 0);
        alive = owner > 0;
      } catch {
        alive = false;
      }
      if (!alive) {
        rmSync(lock, { force: true });
        continue;
      }
      if (!announced) log(`another run (pid ${owner}) holds ${lock}: waiting for it`);
      announced = true;
      await sleep(5000);
    }
  }
  throw new StepError(`another test-containers run still holds the lock after ${timeoutMs / 60_000} minutes`);
}

let crashed = false;
try {
  await acquireLock();
  await main();
} catch (error) {
  crashed = true;
  fail("test-containers", error instanceof StepError ? error.message : (error?.stack ?? String(error)));
}
const count = (status) => results.filter((result) => result.status === status).length;
console.log(`\n=== container checks summary (${elapsed().trim()}) ===`);
for (const result of results) console.log(`  ${result.status.padEnd(4)} ${result.name}${result.detail ? ` - ${result.detail.split("\n")[0].slice(0, 150)}` : ""}`);
console.log(`container checks: ${count("PASS")} passed, ${count("FAIL")} failed, ${count("WARN")} warnings`);
process.exit(count("FAIL") > 0 || crashed ? 1 : 0);
