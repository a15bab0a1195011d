import type { BusEvent, BusSubscription, Topic } from './eventBus.ts';

/**
 * One subscription's inbox: the bus pushes, the subscriber pulls with `for await`.
 * Bounded: a subscriber that falls `maxQueued` events behind loses its backlog and gets one `resync`
 * instead, which is lossless because every queued message is already committed and the subscriber
 * re-reads the database from its last seq. Ends when `signal` aborts, on `return()` (a `break` out of
 * `for await`), or on `end()` (the bus closing); `onClose` then runs exactly once to release the channel.
 *
 * Hand-rolled: it-pushable and @repeaterjs/repeater buffer or drop, but neither can swap a backlog for a
 * marker event, and this is smaller than adapting them.
 */
export interface SubscriptionQueueOptions {
  signal: AbortSignal;
  maxQueued: number;
  /** Gets the queue itself, as it may run before the constructor returns (signal already aborted). */
  onClose?: (queue: SubscriptionQueue) => void;
  onOverflow?: () => void;
}

const RESYNC: BusEvent = { type: 'resync' };
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

// A class rather than an object of closures: a server holds one per live subscription, and methods on a
// prototype cost nothing per instance (the closures' cost: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments). The queue is its
// own abort listener (handleEvent) for the same reason.
export class SubscriptionQueue implements AsyncIterableIterator<BusEvent> {
  #buffer: BusEvent[] = [];
  // More than one only if someone calls next() without awaiting the previous one.
  #waiters: Array<(result: IteratorResult<BusEvent, undefined>) => void> = [];
  #closed = false;
  readonly #options: SubscriptionQueueOptions;

  constructor(options: SubscriptionQueueOptions) {
    if (!(options.maxQueued >= 1)) throw new RangeError(`maxQueued must be at least 1, got ${options.maxQueued}`);
    this.#options = options;
    if (options.signal.aborted) this.end();
    else options.signal.addEventListener('abort', this, { once: true });
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(event: BusEvent): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter({ done: false, value: event });
    } else if (event.type === 'resync') {
      // Whatever is queued is committed, so the database read that a resync triggers covers it.
      this.#buffer = [RESYNC];
    } else if (this.#buffer.length >= this.#options.maxQueued) {
      this.#buffer = [RESYNC];
      this.#options.onOverflow?.();
    } else {
      this.#buffer.push(event);
    }
  }

  /** Closes the queue (the bus closing, the signal aborting); runs `onClose` once. */
  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer = [];
    this.#options.signal.removeEventListener('abort', this);
    for (const resolve of this.#waiters.splice(0)) resolve(DONE);
    this.onClosed();
  }

  /** What closing releases; subclasses extend it. */
  protected onClosed(): void {
    this.#options.onClose?.(this);
  }

  handleEvent(): void {
    this.end();
  }

  next(): Promise<IteratorResult<BusEvent, undefined>> {
    const event = this.#buffer.shift();
    if (event) return Promise.resolve({ done: false, value: event });
    if (this.#closed) return Promise.resolve(DONE);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  return(): Promise<IteratorResult<BusEvent, undefined>> {
    this.end();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export function createSubscriptionQueue(options: SubscriptionQueueOptions): SubscriptionQueue {
  return new SubscriptionQueue(options);
}

/** How a bus keeps its topic → queues index: made once per bus and shared by all its subscriptions. */
export interface TopicHooks {
  maxQueued: number;
  /** Registers topics a queue did not have. */
  acquire: (topics: Topic[], queue: SubscriptionQueue) => void;
  /** Runs for each of a queue's topics when it closes. */
  release: (topic: Topic, queue: SubscriptionQueue) => void;
  onOverflow?: () => void;
}

/**
 * A subscription over a growing set of topics, as both buses hand them out: `add` registers topics it did
 * not have at once (not at the first next(): callers read the database after subscribing and rely on
 * everything published from then on being queued); closing releases each.
 */
class TopicSubscription extends SubscriptionQueue implements BusSubscription {
  // TypeScript-private, not #private: onClosed may run inside super() (signal already aborted), before
  // these are set, and reading an uninitialised #field there would throw.
  private readonly topics = new Set<Topic>();
  private readonly hooks: TopicHooks;

  constructor(signal: AbortSignal, hooks: TopicHooks) {
    super({ signal, maxQueued: hooks.maxQueued, onOverflow: hooks.onOverflow });
    this.hooks = hooks;
  }

  add(topics: Topic[]): void {
    if (this.closed) return;
    const fresh = topics.filter((topic) => !this.topics.has(topic));
    for (const topic of fresh) this.topics.add(topic);
    if (fresh.length) this.hooks.acquire(fresh, this);
  }

  protected override onClosed(): void {
    if (!this.hooks) return; // inside super(): nothing acquired yet
    for (const topic of this.topics) this.hooks.release(topic, this);
  }
}

export function createTopicSubscription(initial: Topic[], options: { signal: AbortSignal; busClosed: boolean; hooks: TopicHooks }): BusSubscription {
  const subscription = new TopicSubscription(options.signal, options.hooks);
  if (options.busClosed) subscription.end();
  subscription.add(initial);
  return subscription;
}
