import { Semaphore } from 'async-mutex';
import { tooManyRequests } from './rateLimitedError.ts';

/** Runs password hashes a few at a time; refuses more than fit in its queue. */
export interface PasswordHashQueue {
  /** Runs `work` when a slot is free; throws TOO_MANY_REQUESTS (with a retry hint) when the queue is full. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * An argon2 hash takes a thread of libuv's pool and many megabytes for tens of milliseconds. Unbounded,
 * a flood of log-ins fills that pool and the memory, and everything else waits behind it; bounded, the
 * flood's excess is refused at once and the rest of the server keeps its cores.
 */
export function createPasswordHashQueue(options: { concurrency: number; maxQueued: number }): PasswordHashQueue {
  const slots = new Semaphore(options.concurrency);
  let waiting = 0;
  // A running estimate of one hash, to tell a refused caller roughly when the queue will have drained.
  let averageMs = 100;
  return {
    async run(work) {
      if (waiting >= options.maxQueued) {
        throw tooManyRequests(((waiting + options.concurrency) / options.concurrency) * averageMs, 'The server is busy checking passwords');
      }
      waiting++;
      const [, release] = await slots.acquire().finally(() => waiting--);
      const started = performance.now();
      try {
        return await work();
      } finally {
        averageMs = averageMs * 0.9 + (performance.now() - started) * 0.1;
        release();
      }
    },
  };
}
