/**
 * Regular expressions from clients run in a worker thread with a deadline, so a pattern with
 * catastrophic backtracking (`(a+)+$`) costs at most the deadline instead of the server's event
 * loop. The worker is replaced after a timeout.
 */
import { Worker } from "node:worker_threads";
import { AppError, BadRequestError } from "../errors.js";

const workerSource = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", ({ id, pattern, texts }) => {
  const expression = new RegExp(pattern);
  parentPort.postMessage({ id, matches: texts.map((text) => expression.test(text)) });
});
`;

export const maxPatternLength = 200;

let worker: Worker | null = null;
let nextId = 0;
/** Searches in flight on the current worker: a timeout that replaces it must not leave them waiting. */
const pending = new Map<number, { worker: Worker; reject: (error: Error) => void }>();

function currentWorker(): Worker {
  if (!worker) {
    const created = new Worker(workerSource, { eval: true });
    created.unref();
    created.on("exit", () => {
      for (const [id, search] of pending) {
        if (search.worker !== created) continue;
        pending.delete(id);
        search.reject(new AppError(503, "The regex search was stopped with another pattern that ran too long; try again"));
      }
      if (worker === created) worker = null;
    });
    worker = created;
  }
  return worker;
}

/** Throws BadRequestError for an invalid or too long pattern (before anything runs). */
export function checkPattern(pattern: string): void {
  if (pattern.length > maxPatternLength) {
    throw new BadRequestError(`Regex pattern too long (max ${maxPatternLength} chars)`);
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    throw new BadRequestError(`Invalid regex pattern: ${(error as Error).message}`);
  }
}

/** Whether `pattern` matches each text (a search, as Python's `re.search`); 400 when it runs past the deadline. */
export async function regexMatches(pattern: string, texts: string[], timeoutMs = 2000): Promise<boolean[]> {
  checkPattern(pattern);
  const running = currentWorker();
  const id = nextId++;
  return new Promise<boolean[]>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      running.off("message", onMessage);
      pending.delete(id);
    };
    const onMessage = (message: { id: number; matches: boolean[] }) => {
      if (message.id !== id) return;
      finish();
      resolve(message.matches);
    };
    const timer = setTimeout(() => {
      finish();
      if (worker === running) worker = null;
      void running.terminate();
      reject(new BadRequestError(`Regex pattern took longer than ${timeoutMs} ms and was stopped`));
    }, timeoutMs);
    pending.set(id, {
      worker: running,
      reject: (error) => {
        finish();
        reject(error);
      },
    });
    running.on("message", onMessage);
    running.postMessage({ id, pattern, texts });
  });
}

/** Stops the worker (server shutdown). */
export async function stopRegexWorker(): Promise<void> {
  const running = worker;
  worker = null;
  if (running) await running.terminate();
}
