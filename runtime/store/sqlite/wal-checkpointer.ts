/**
 * The server's WAL checkpoints, on a worker thread with its own connection to the file. SQLite
 * otherwise checkpoints inside the commit that fills the WAL past 1 000 pages, synchronously: with
 * hundreds of replies streaming, the draft writes filled it every few seconds, and each of those
 * commits held the event loop, every stream included, for 9 to 15 ms (measured in the SSE bench,
 * where these were the slowest tokens). A passive checkpoint from another connection waits for no
 * reader or writer and blocks none, so the main connection only appends to the WAL.
 *
 * The main connection's automatic checkpoints are turned off only once the worker has opened the
 * file, and back on if the worker fails: the WAL never goes without a checkpointer. The server
 * starts it with the first draft write, not at start: the thread holds about 10 MB.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Database } from "better-sqlite3";

/** SQLite's default `wal_autocheckpoint`, given back when the worker stops. */
const automaticCheckpointPages = 1000;

/**
 * CommonJS for an `eval` worker: no file of its own to find in the bundle, the sources or an image.
 * It checkpoints every interval (a passive checkpoint with nothing new to copy costs next to nothing).
 */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const database = new Database(workerData.path, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    database.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or a passing I/O error: the next interval tries again.
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  database.close();
  parentPort.close();
});
parentPort.postMessage("ready");
`;

export interface WalCheckpointerOptions {
  intervalMs?: number;
  /** The module the worker opens the file with (better-sqlite3, resolved from here). */
  driver?: string;
  /** The worker could not start or stopped on its own: the main connection checkpoints again. */
  onFailure?: (reason: string) => void;
}

export class WalCheckpointer {
  /** Resolves true once the worker checkpoints instead of the main connection, false if it could not start. */
  readonly ready: Promise<boolean>;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private closing = false;

  /** Null for a database without a file (`:memory:`), which has no WAL. */
  static start(database: Database, options: WalCheckpointerOptions = {}): WalCheckpointer | null {
    if (database.memory || !database.name) return null;
    return new WalCheckpointer(database, options);
  }

  private constructor(
    private readonly database: Database,
    options: WalCheckpointerOptions,
  ) {
    const driver = options.driver ?? createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(workerSource, { eval: true, workerData: { driver, path: database.name, intervalMs: options.intervalMs ?? 1000 } });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
    this.ready = new Promise<boolean>((resolve) => {
      this.worker.once("message", () => {
        if (this.closing || !this.database.open) return resolve(false);
        this.database.pragma("wal_autocheckpoint = 0");
        resolve(true);
      });
      // Failing to start (or dying later): the main connection checkpoints again, as SQLite does by default.
      let failure: string | null = null;
      this.worker.once("error", (error) => {
        failure = error instanceof Error ? error.message : String(error);
        this.restoreAutomaticCheckpoints();
        resolve(false);
      });
      void this.exited.then(() => {
        this.restoreAutomaticCheckpoints();
        resolve(false);
        if (!this.closing) options.onFailure?.(failure ?? "the worker exited");
      });
    });
  }

  /** Stops the worker (its connection closed) and gives checkpoints back to the main connection. */
  async close(): Promise<void> {
    if (this.closing) return this.exited;
    this.closing = true;
    this.worker.postMessage("close");
    const stopped = await Promise.race([this.exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 2000).unref())]);
    if (!stopped) await this.worker.terminate();
    this.restoreAutomaticCheckpoints();
  }

  private restoreAutomaticCheckpoints(): void {
    if (this.database.open) this.database.pragma(`wal_autocheckpoint = ${automaticCheckpointPages}`);
  }
}
