/**
 * Events per second through NATS JetStream (the replicated mode's event log: numbered publish,
 * delivered to a subscriber on another connection) beside the single server's in-process event
 * buffer, in the same run. The bench starts its own nats-server (as the tests do); when it cannot,
 * it says so and prints the in-process row alone.
 */
import { pathToFileURL } from "node:url";
import { connect } from "@nats-io/transport-node";
import { ReplicatedEventLog } from "../runtime/replication/event-log.js";
import { EventBuffer } from "../runtime/sessions/event-buffer.js";
import type { NumberedEvent } from "../runtime/sessions/types.js";
import { type NatsServer, startNats, stopNats } from "../test/support/nats-server.js";

const token = { type: "generation_progress" as const, token: "a few words of a reply " };

/** Events per second for `count` events spread over `conversations` conversations, each in order. */
async function throughput(
  conversations: number,
  count: number,
  publish: (conversation: string, index: number) => Promise<unknown>,
  delivered: () => number,
): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: conversations }, async (_, conversation) => {
      for (let index = 0; index < count / conversations; index++) await publish(`bench-${conversation}`, index);
    }),
  );
  while (delivered() < count) await new Promise((resolve) => setTimeout(resolve, 5));
  return count / ((performance.now() - started) / 1000);
}

export async function benchReplicatedEvents(options = { events: 4000, conversations: 8 }) {
  const lines: string[] = [];
  let local = 0;
  const buffers = new Map<string, EventBuffer>();
  const inProcess = await throughput(
    options.conversations,
    options.events,
    async (conversation) => {
      let buffer = buffers.get(conversation);
      if (!buffer) buffers.set(conversation, (buffer = new EventBuffer()));
      const numbered = buffer.push(token);
      local += numbered.id > 0 ? 1 : 0;
    },
    () => local,
  );
  lines.push(`in-process event buffer (one server):   ${Math.round(inProcess)} events/s`);

  let nats: NatsServer | null = null;
  try {
    nats = await startNats();
    const publisher = await connect({ servers: nats.url });
    const subscriber = await connect({ servers: nats.url });
    const stream = `GPTME_BENCH_${process.pid}`;
    const log = await ReplicatedEventLog.open(publisher, stream);
    const reader = await ReplicatedEventLog.open(subscriber, stream);
    let received = 0;
    const stops = Array.from({ length: options.conversations }, (_, conversation) =>
      reader.subscribe(`bench-${conversation}`, null, (_event: NumberedEvent) => void (received += 1)),
    );
    // The subscriptions start asynchronously: one event each, delivered, before measuring.
    await Promise.all(stops.map((_, conversation) => log.publish(`bench-${conversation}`, { type: "ping" })));
    while (received < options.conversations) await new Promise((resolve) => setTimeout(resolve, 5));
    received = 0;
    const replicated = await throughput(options.conversations, options.events, (conversation) => log.publish(conversation, token), () => received);
    lines.push(
      `NATS JetStream (replicas), ${options.conversations} conversations: ${Math.round(replicated)} events/s published, numbered and delivered to another connection (${((replicated / inProcess) * 100).toFixed(2)}% of in-process)`,
    );
    for (const stop of stops) stop();
    await log.close();
    await reader.close();
    await publisher.close();
    await subscriber.close();
  } catch (error) {
    lines.push(`NATS rows skipped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (nats) await stopNats(nats);
  }
  return { name: `live events: in-process and through NATS JetStream (${options.events} token events)`, lines };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await benchReplicatedEvents();
  console.log(result.name);
  for (const line of result.lines) console.log(`  ${line}`);
  process.exit(0);
}
