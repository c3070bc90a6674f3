/**
 * The cgroup probe on fake hierarchies (plain directories standing in for cgroupfs): which files it
 * writes for v2 delegation and for v1, and what it says when neither is usable. The limits
 * themselves are proven on the real kernel by the escape tests (fork bomb, memory hog).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { probeCgroups } from "../../runtime/sandbox/cgroups.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

const limits = { pids: 64, memoryBytes: 256 * 1024 * 1024 };

function fakeSystem(mountinfo: (root: string) => string, cgroup: string): { root: string; procSelf: string } {
  const root = mkdtempSync(join(tmpdir(), "gptme-cgroups-"));
  roots.push(root);
  const procSelf = join(root, "proc-self");
  mkdirSync(procSelf);
  writeFileSync(join(procSelf, "mountinfo"), mountinfo(root));
  writeFileSync(join(procSelf, "cgroup"), cgroup);
  return { root, procSelf };
}

describe("cgroup v2 with delegation", () => {
  const system = () => {
    const fake = fakeSystem((root) => `35 24 0:30 / ${root}/unified rw,nosuid shared:9 - cgroup2 cgroup2 rw\n`, "0::/user.slice/app\n");
    const own = join(fake.root, "unified", "user.slice", "app");
    mkdirSync(own, { recursive: true });
    return { ...fake, own };
  };

  it("moves the server into a leaf, hands pids and memory to children, and limits each sandbox", () => {
    const { procSelf, own } = system();
    writeFileSync(join(own, "cgroup.controllers"), "cpu io memory pids\n");
    writeFileSync(join(own, "cgroup.subtree_control"), "");
    const support = probeCgroups({ limits, procSelf, pid: 4242 });
    expect(support).toMatchObject({ available: true, detail: "cgroup v2: at most 64 processes and 256 MiB of memory per conversation" });
    expect(readFileSync(join(own, "gptme-server", "cgroup.procs"), "utf8")).toBe("4242");
    expect(readFileSync(join(own, "cgroup.subtree_control"), "utf8")).toBe("+pids +memory");
    const group = support.create("conversation-1");
    expect(group.procsFiles).toEqual([join(own, "gptme-sandbox-conversation-1", "cgroup.procs")]);
    expect(readFileSync(join(own, "gptme-sandbox-conversation-1", "pids.max"), "utf8")).toBe("64");
    expect(readFileSync(join(own, "gptme-sandbox-conversation-1", "memory.max"), "utf8")).toBe(String(256 * 1024 * 1024));
  });

  it("says so when the controllers are not delegated (and there is no v1 either)", () => {
    const { procSelf, own } = system();
    writeFileSync(join(own, "cgroup.controllers"), "cpu io\n");
    const support = probeCgroups({ limits, procSelf, pid: 1 });
    expect(support.available).toBe(false);
    expect(support.detail).toBe(
      `no writable cgroup (cgroup v2: the pids and memory controllers are not delegated to ${own}; cgroup v1: no pids hierarchy): processes and memory are not limited`,
    );
    expect(() => support.create("x")).toThrow(/no writable cgroup/);
  });
});

describe("cgroup v1", () => {
  it("makes one group per sandbox in the pids and memory hierarchies, under the server's own", () => {
    const { root, procSelf } = fakeSystem(
      (base) => `40 30 0:40 / ${base}/pids rw - cgroup cgroup rw,pids\n41 30 0:41 / ${base}/memory rw - cgroup cgroup rw,memory\n`,
      "8:pids:/\n4:memory:/process_api/abc\n0::/\n",
    );
    mkdirSync(join(root, "pids"));
    mkdirSync(join(root, "memory", "process_api", "abc"), { recursive: true });
    const support = probeCgroups({ limits, procSelf, pid: 7, instance: "t" });
    expect(support).toMatchObject({ available: true, detail: "cgroup v1: at most 64 processes and 256 MiB of memory per conversation" });
    const group = support.create("conversation-1");
    const pids = join(root, "pids", "gptme-7-t", "conversation-1");
    const memory = join(root, "memory", "process_api", "abc", "gptme-7-t", "conversation-1");
    expect(group.procsFiles).toEqual([join(pids, "cgroup.procs"), join(memory, "cgroup.procs")]);
    expect(readFileSync(join(pids, "pids.max"), "utf8")).toBe("64");
    expect(readFileSync(join(memory, "memory.limit_in_bytes"), "utf8")).toBe(String(256 * 1024 * 1024));
  });

  it("says why when no hierarchy is writable", () => {
    const { procSelf } = fakeSystem(() => "", "0::/\n");
    expect(probeCgroups({ limits, procSelf }).detail).toBe(
      "no writable cgroup (no cgroup v2 hierarchy; cgroup v1: no pids hierarchy): processes and memory are not limited",
    );
  });
});
