import { setTimeout as sleep } from 'node:timers/promises';
import { isDatabaseUnavailable } from './prismaErrors.ts';

/**
 * Runs a read that a live stream needs, waiting out a database outage (with backoff) instead of ending
 * the stream: a subscription that errored would not be resumed by the client, which only resubscribes
 * after its socket reconnects. Other errors, and an aborted stream, end it as before.
 */
export async function retryWhileUnavailable<T>(read: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || signal.aborted) throw error;
      await sleep(Math.min(100 * 2 ** attempt, 3000), undefined, { signal });
    }
  }
}
