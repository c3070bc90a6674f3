/**
 * User settings are kept in PostgreSQL and held in memory by each replica (the model registry reads
 * them synchronously). A replica that changes them says so on NATS; the others read them again.
 * A notice lost while NATS reconnects is made up for by reading them again every few minutes.
 */
import type { NatsConnection, Subscription } from "@nats-io/transport-node";

const subject = "gptme.settings.changed";
const rereadMs = 5 * 60 * 1000;

export class SettingsNotices {
  private subscription: Subscription | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connection: NatsConnection,
    private readonly replicaId: string,
  ) {}

  /** Tells the other replicas (not this one) that the settings changed. */
  announce(): void {
    try {
      this.connection.publish(subject, this.replicaId);
    } catch (error) {
      console.error(`could not announce a settings change: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Calls `reload` when another replica changed the settings, and every few minutes. */
  listen(reload: () => Promise<void>): void {
    const run = () =>
      void reload().catch((error: unknown) => console.error(`could not read the user settings again: ${error instanceof Error ? error.message : String(error)}`));
    this.subscription = this.connection.subscribe(subject, {
      callback: (error, message) => {
        if (!error && message.string() !== this.replicaId) run();
      },
    });
    this.timer = setInterval(run, rereadMs);
    this.timer.unref();
  }

  close(): void {
    this.subscription?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }
}
