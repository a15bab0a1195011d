import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CLOSE_TIMEOUT_MS = 10_000;

export interface SqliteCheckpointer {
  /** Settles once the worker has its connection open (or has failed, which `onFailure` reports). */
  started: Promise<void>;
  /** Runs a last checkpoint that empties the WAL, then ends the worker. */
  close(): Promise<void>;
}

/**
 * SQLite checkpoints the WAL inside whichever commit first finds it past 1,000 pages: on the hot path's
 * connection that is a stall of the event loop (copying pages, two fsyncs) several times a second under
 * load, which every message in flight waits out (figures: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments). Here a worker thread checkpoints on a connection of its
 * own instead, PASSIVE so that it never blocks a writer; the hot path's connections run with
 * `wal_autocheckpoint = 0`. Should the worker die, `onFailure` is told, so the caller can hand
 * checkpointing back to its connection rather than let the WAL grow without bound.
 */
export function startSqliteCheckpointer(path: string, options: { intervalMs: number; onFailure(error: unknown): void }): SqliteCheckpointer {
  const libsql = createRequire(import.meta.url).resolve('libsql');
  const worker = new Worker(new URL('./sqliteCheckpointWorker.cjs', import.meta.url), {
    workerData: { path, libsql, intervalMs: options.intervalMs },
  });
  worker.unref(); // never what keeps a process alive
  let closing = false;
  let failed = false;
  const fail = (error: unknown) => {
    if (closing || failed) return; // an error is followed by an exit: one report
    failed = true;
    options.onFailure(error);
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const started = new Promise<void>((resolve) => {
    worker.once('message', () => resolve()); // its one message: 'ready'
    void exited.then(resolve);
  });
  worker.on('error', fail);
  worker.once('exit', (code) => fail(new Error(`the SQLite checkpoint worker exited with code ${code}`)));
  return {
    started,
    async close() {
      if (!closing) {
        closing = true;
        worker.postMessage('close');
        // The last checkpoint waits out other connections' locks (busy_timeout); a stuck one ends anyway.
        const stuck = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
        await exited;
        clearTimeout(stuck);
      }
      return exited;
    },
  };
}
