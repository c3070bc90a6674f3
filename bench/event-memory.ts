/**
 * RSS after 60 `message_added` events of 9 MB each (what 60 posted user messages of 9 MB publish)
 * on one conversation with a client listening, with the byte-capped event buffer and, as the
 * baseline in the same run, with the caps lifted (the old count-only buffer). Each case runs in
 * its own process, so neither sees the other's heap. The events are published the way the POST
 * handler publishes them, without the HTTP parsing and SQLite writes around them (about a second
 * per message here), which hold no memory afterwards and would make this bench slow.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createLocalRuntime } from "../runtime/local-runtime.js";

const messages = 60;
const messageBytes = 9 * 1024 * 1024;

interface Measurement {
  beforeMb: number;
  afterMb: number;
}

async function measure(capped: boolean): Promise<Measurement> {
  const directory = mkdtempSync(join(tmpdir(), "gptme-bench-"));
  const unlimited = { maxBytes: Number.POSITIVE_INFINITY, totalBytes: Number.POSITIVE_INFINITY };
  const local = createLocalRuntime({
    env: { HOME: directory },
    databasePath: join(directory, "gptme.db"),
    dataDirectory: directory,
    defaultWorkspace: directory,
    authToken: null,
    userConfigPath: null,
    eventLimits: capped ? undefined : unlimited,
  });
  const sessions = local.runtime.sessions;
  let received = 0;
  const subscription = sessions.subscribe("big", null, () => received++);
  const post = (index: number) => {
    const content = String(index % 10).repeat(messageBytes);
    sessions.publish("big", { type: "message_added", message: { role: "user", content, timestamp: new Date().toISOString() } });
  };
  const rssMb = () => {
    globalThis.gc?.();
    return process.memoryUsage().rss / 1024 / 1024;
  };
  post(0);
  const beforeMb = rssMb();
  for (let index = 1; index <= messages; index++) post(index);
  const afterMb = rssMb();
  if (received !== messages + 1) throw new Error(`the listener got ${received} events`);
  subscription.unsubscribe();
  await local.close();
  rmSync(directory, { recursive: true, force: true });
  return { beforeMb, afterMb };
}

const signed = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(0)}`;

function inChild(mode: "capped" | "uncapped"): Measurement {
  const script = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", script, mode], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`event memory bench (${mode}) failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as Measurement;
}

export async function benchEventMemory(): Promise<{ name: string; lines: string[] }> {
  const uncapped = inChild("uncapped");
  const capped = inChild("capped");
  const line = (label: string, measurement: Measurement) =>
    `${label} RSS ${measurement.beforeMb.toFixed(0)} MB -> ${measurement.afterMb.toFixed(0)} MB (${signed(measurement.afterMb - measurement.beforeMb)} MB)`;
  const growth = capped.afterMb - capped.beforeMb;
  return {
    name: `event buffer memory (${messages} messages of 9 MB to one conversation, a client listening)`,
    lines: [
      line("caps lifted (baseline):", uncapped),
      line("byte caps (4 MiB/conversation, 64 MiB total):", capped),
      `growth with caps: ${signed(growth)} MB (goal <= 64 MB, the global cap) ${growth <= 64 ? "OK" : "ABOVE GOAL"}`,
    ],
  };
}

const mode = process.argv[2];
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (mode === "capped" || mode === "uncapped") {
    console.log(JSON.stringify(await measure(mode === "capped")));
  } else {
    const result = await benchEventMemory();
    console.log(result.name);
    for (const line of result.lines) console.log(`  ${line}`);
  }
}
