import type { BusEvent } from './eventBus.ts';
import type { SubscriptionQueue } from './subscriptionQueue.ts';

/**
 * This process's subscription queues per key (a topic, or a Redis channel name) and delivery to them,
 * shared by both buses. A key's queue set is replaced, not reused, when its last queue leaves and a new
 * one arrives, so a caller can tell by identity whether a set it held is still the key's.
 */
export class LocalListeners<K extends string> {
  readonly #byKey = new Map<K, Set<SubscriptionQueue>>();

  /** Adds `queue` under `key`; returns the key's new queue set when it is the first, else null. */
  add(key: K, queue: SubscriptionQueue): Set<SubscriptionQueue> | null {
    const queues = this.#byKey.get(key);
    if (queues) {
      queues.add(queue);
      return null;
    }
    const fresh = new Set([queue]);
    this.#byKey.set(key, fresh);
    return fresh;
  }

  /** Removes `queue` from `key`; true when it was the key's last queue. */
  remove(key: K, queue: SubscriptionQueue): boolean {
    const queues = this.#byKey.get(key);
    if (!queues?.delete(queue) || queues.size > 0) return false;
    this.#byKey.delete(key);
    return true;
  }

  get(key: K): ReadonlySet<SubscriptionQueue> | undefined {
    return this.#byKey.get(key);
  }

  /** Every key with its queue set. */
  entries(): IterableIterator<[K, ReadonlySet<SubscriptionQueue>]> {
    return this.#byKey.entries();
  }

  /** One event object for every queue of `key`: readers must not mutate it. */
  deliver(key: K, event: BusEvent): void {
    const queues = this.#byKey.get(key);
    if (queues) fanOut(queues, event);
  }

  /** Ends every queue (the bus closing) and forgets them all. */
  endAll(): void {
    for (const queues of [...this.#byKey.values()]) for (const queue of [...queues]) queue.end();
    this.#byKey.clear();
  }

  get keyCount(): number {
    return this.#byKey.size;
  }

  get queueCount(): number {
    let count = 0;
    for (const queues of this.#byKey.values()) count += queues.size;
    return count;
  }
}

/** Pushes one event to each queue: the per-delivery work both buses share. */
export function fanOut(queues: ReadonlySet<SubscriptionQueue>, event: BusEvent): void {
  for (const queue of queues) queue.push(event);
}
