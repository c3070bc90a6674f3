/**
 * The JetStream event log against a real nats-server: ids without gaps per conversation whoever
 * publishes, replay after a Last-Event-ID from another connection, and a missed notice when the
 * retention no longer reaches back.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EventRetention, defaultRetention, eventTooLargeMessage, missedEventsMessage, ReplicatedEventLog } from "../../runtime/replication/event-log.js";
import type { NumberedEvent } from "../../runtime/sessions/types.js";
import { natsForTests, requireNats } from "../support/postgres-for-tests.js";

const nats = await natsForTests();
const skip = !("url" in nats) && !["true", "1"].includes((process.env.CI ?? "").toLowerCase());
if (skip) console.warn(`NATS cases skipped: ${"unavailable" in nats ? nats.unavailable : ""}`);

let streamCounter = 0;
const connections: NatsConnection[] = [];
const logs: ReplicatedEventLog[] = [];

async function openLog(stream: string, retention: EventRetention = defaultRetention): Promise<ReplicatedEventLog> {
  const connection = await connect({ servers: requireNats(nats) });
  connections.push(connection);
  const log = await ReplicatedEventLog.open(connection, stream, retention);
  logs.push(log);
  return log;
}

/** Collects events until `count` arrived. */
function collect(log: ReplicatedEventLog, conversation: string, lastEventId: number | null, count: number) {
  const events: NumberedEvent[] = [];
  let resolve: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  const stop = log.subscribe(conversation, lastEventId, (event) => {
    events.push(event);
    if (events.length >= count) resolve();
  });
  return { events, done, stop };
}

describe.skipIf(skip)("the replicated event log (NATS JetStream)", () => {
  let stream: string;
  beforeAll(() => {
    stream = `GPTME_TEST_${process.pid}_${(streamCounter += 1)}`;
  });
  afterAll(async () => {
    for (const log of logs.splice(0)) await log.close();
    for (const connection of connections.splice(0)) await connection.close();
  });

  it("numbers one conversation's events 1, 2, 3... without gaps while two replicas publish at once", async () => {
    const first = await openLog(stream);
    const second = await openLog(stream);
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? first : second).publish("shared.conv/1", { type: "generation_progress", token: `t${index}` })),
    );
    expect([...ids].sort((left, right) => left! - right!)).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
    // Another conversation has its own numbering.
    expect(await first.publish("other", { type: "ping" })).toBe(1);

    const replay = collect(await openLog(stream), "shared.conv/1", 35, 5);
    await replay.done;
    replay.stop();
    expect(replay.events.map((event) => event.id)).toEqual([36, 37, 38, 39, 40]);
  });

  it("starts a stream without Last-Event-ID after the events this process published before, and delivers those after, in order", async () => {
    const log = await openLog(stream);
    const other = await openLog(stream);
    await other.publish("live", { type: "ping" });
    await log.publish("live", { type: "generation_progress", token: "before" });
    const live = collect(log, "live", null, 3);
    // Published right after subscribing, before the subscription has even reached NATS.
    for (const token of ["a", "b", "c"]) void log.publish("live", { type: "generation_progress", token });
    await live.done;
    live.stop();
    expect(live.events.map((event) => [event.id, (event.event as { token: string }).token])).toEqual([
      [3, "a"],
      [4, "b"],
      [5, "c"],
    ]);
  });

  it("says events were missed when the retention dropped some after Last-Event-ID, or the id is from the future", async () => {
    const small = await openLog(`${stream}_SMALL`, { ...defaultRetention, maxEventsPerConversation: 3 });
    for (const token of ["1", "2", "3", "4", "5"]) await small.publish("kept", { type: "generation_progress", token });
    const gap = collect(small, "kept", 1, 4);
    await gap.done;
    gap.stop();
    expect(gap.events.map((event) => event.id)).toEqual([-1, 3, 4, 5]);
    expect(gap.events[0]!.event).toEqual({ type: "error", error: missedEventsMessage });

    const future = collect(small, "kept", 99, 1);
    await future.done;
    future.stop();
    expect(future.events[0]!.event).toEqual({ type: "error", error: missedEventsMessage });
  });

  it("publishes nothing once the publisher is no longer allowed to", async () => {
    const log = await openLog(stream);
    expect(await log.publish("fenced", { type: "ping" }, () => true)).toBe(1);
    expect(await log.publish("fenced", { type: "ping" }, () => false)).toBeNull();
    expect(await log.publish("fenced", { type: "ping" })).toBe(2);
  });

  it("keeps at most the byte bound of one conversation's events, whoever publishes, and asks a client resuming from a purged id to reload", async () => {
    const name = `${stream}_BYTES`;
    const cap = 48 * 1024;
    const retention = { ...defaultRetention, maxBytesPerConversation: cap };
    const first = await openLog(name, retention);
    const second = await openLog(name, retention);
    const manager = await jetstreamManager(connections.at(-1)!);
    for (const token of ["a", "b", "c"]) await first.publish("quiet", { type: "generation_progress", token });
    const quietBytes = (await manager.streams.info(name)).state.bytes;

    const token = "x".repeat(1000);
    let highest = 0;
    for (let index = 0; index < 200; index += 1) {
      // Two replicas take turns: each must count the other's events too.
      await (index % 3 === 0 ? second : first).publish("loud", { type: "generation_progress", token: `${index} ${token}` });
      if (index % 10 === 9) highest = Math.max(highest, (await manager.streams.info(name)).state.bytes - quietBytes);
    }
    // 200 events of about 1 KiB went through; never more than the bound was kept, and not much less.
    expect(highest).toBeLessThanOrEqual(cap);
    const kept = (await manager.streams.info(name)).state.bytes - quietBytes;
    expect(kept).toBeGreaterThanOrEqual(cap / 2);
    expect(kept).toBeLessThanOrEqual(cap);

    const resumed = collect(second, "loud", 1, 2);
    await resumed.done;
    resumed.stop();
    expect(resumed.events[0]!.event).toEqual({ type: "error", error: missedEventsMessage });
    expect(resumed.events[1]!.id).toBeGreaterThan(150);
    const tail = collect(first, "loud", 195, 5);
    await tail.done;
    tail.stop();
    expect(tail.events.map((event) => event.id)).toEqual([196, 197, 198, 199, 200]);
    // Another conversation's events were not touched.
    const quiet = collect(first, "quiet", 0, 3);
    await quiet.done;
    quiet.stop();
    expect(quiet.events.map((event) => [event.id, (event.event as { token: string }).token])).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "c"],
    ]);
  });

  it("sends a notice to reload in place of an event too large for NATS, and goes on numbering", async () => {
    const log = await openLog(stream);
    expect(await log.publish("huge", { type: "ping" })).toBe(1);
    expect(await log.publish("huge", { type: "generation_progress", token: "y".repeat(2 * 1024 * 1024) })).toBe(2);
    expect(await log.publish("huge", { type: "ping" })).toBe(3);
    const replay = collect(log, "huge", 1, 2);
    await replay.done;
    replay.stop();
    expect(replay.events).toEqual([
      { id: 2, event: { type: "error", error: eventTooLargeMessage } },
      { id: 3, event: { type: "ping" } },
    ]);
  });
});
