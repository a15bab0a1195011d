import type { Logger } from 'pino';
import type { BusEvent } from './eventBus.ts';
import { fanOut, LocalListeners } from './localListeners.ts';
import type { SubscriptionQueue } from './subscriptionQueue.ts';

const RESYNC: BusEvent = { type: 'resync' };

/** The commands of the dedicated subscriber connection (ioredis) that ref-counting sends. */
export interface ChannelSubscriber {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
}

/**
 * The Redis channels this process listens on: one SUBSCRIBE per channel however many local queues it
 * has, UNSUBSCRIBE when the last leaves, and every live channel subscribed again after a reconnect.
 */
export class ChannelRefCounts {
  readonly #subscriber: ChannelSubscriber;
  readonly #logger: Logger;
  readonly #listeners = new LocalListeners<string>();
  #isClosed = false;
  #needsResubscribe = false;

  constructor(subscriber: ChannelSubscriber, logger: Logger) {
    this.#subscriber = subscriber;
    this.#logger = logger;
  }

  // SUBSCRIBE/UNSUBSCRIBE are sent synchronously at each 0<->1 transition and never awaited before
  // updating the map: one connection applies commands in send order, so an UNSUBSCRIBE followed by a
  // SUBSCRIBE of the same channel (a last subscriber leaving as a new one arrives) ends subscribed.
  /** Adds `queue` to each channel; subscribes the ones that had no queue yet. */
  acquire(names: string[], queue: SubscriptionQueue): void {
    const fresh: Array<[string, ReadonlySet<SubscriptionQueue>]> = [];
    for (const name of names) {
      const queues = this.#listeners.add(name, queue);
      if (queues) fresh.push([name, queues]);
    }
    // One SUBSCRIBE (and so one resync on its acknowledgement) for all the channels a call adds.
    if (fresh.length) this.#listen(fresh);
  }

  /** Removes `queue` from the channel; unsubscribes it when that was its last queue. */
  release(name: string, queue: SubscriptionQueue): void {
    if (!this.#listeners.remove(name, queue) || this.#isClosed) return;
    this.#subscriber.unsubscribe(name).catch((err: unknown) => this.#logger.warn({ err, channel: name }, 'redis UNSUBSCRIBE failed'));
  }

  /** The queues of a channel, or undefined when this process no longer listens on it. */
  queuesOf(name: string): ReadonlySet<SubscriptionQueue> | undefined {
    return this.#listeners.get(name);
  }

  /** The subscriber connection dropped: Redis forgot our channels. */
  onConnectionLost(): void {
    this.#needsResubscribe = true;
  }

  // ioredis emits 'ready' on the tick after its ready handler has already re-sent (autoResubscribe)
  // the old SUBSCRIBEs, the unacknowledged commands and the offline queue, i.e. before Redis has applied
  // them. Our own SUBSCRIBE of every live channel goes out after those, so its acknowledgement is the
  // point from which resynced readers cannot miss a message. It also repairs autoResubscribe: false and
  // SUBSCRIBEs rejected while offline (maxRetriesPerRequest).
  /** The subscriber connection is ready: subscribes every live channel again if it was lost or failed. */
  onConnectionReady(): void {
    if (!this.#needsResubscribe) return;
    this.#needsResubscribe = false;
    if (this.#listeners.keyCount > 0) this.#listen([...this.#listeners.entries()]);
  }

  /** Ends every queue without unsubscribing: the connection is about to quit. */
  close(): void {
    this.#isClosed = true;
    this.#listeners.endAll();
  }

  get channelCount(): number {
    return this.#listeners.keyCount;
  }

  get queueCount(): number {
    return this.#listeners.queueCount;
  }

  // Channels whose SUBSCRIBE is acknowledged get a resync: before that, a message published on the
  // channel reached nobody here, while the subscriber may already have read the database.
  #listen(targets: Array<[string, ReadonlySet<SubscriptionQueue>]>): void {
    this.#subscriber.subscribe(...targets.map(([name]) => name)).then(
      () => {
        // A channel released and re-acquired meanwhile has a new queue set with its own SUBSCRIBE.
        for (const [name, queues] of targets) if (this.#listeners.get(name) === queues) fanOut(queues, RESYNC);
      },
      (err: unknown) => {
        this.#needsResubscribe = true;
        this.#logger.warn({ err, channels: targets.length }, 'redis SUBSCRIBE failed; retried when the connection is ready again');
      },
    );
  }
}
