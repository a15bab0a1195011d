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
export interface SubscriptionQueue extends AsyncIterableIterator<BusEvent> {
  push(event: BusEvent): void;
  end(): void;
  readonly closed: boolean;
}

export interface SubscriptionQueueOptions {
  signal: AbortSignal;
  maxQueued: number;
  /** Gets the queue itself, as it may run before `createSubscriptionQueue` returns (signal already aborted). */
  onClose: (queue: SubscriptionQueue) => void;
  onOverflow?: () => void;
}

const RESYNC: BusEvent = { type: 'resync' };
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export function createSubscriptionQueue(options: SubscriptionQueueOptions): SubscriptionQueue {
  const { signal, maxQueued, onClose, onOverflow } = options;
  if (!(maxQueued >= 1)) throw new RangeError(`maxQueued must be at least 1, got ${maxQueued}`);

  let buffer: BusEvent[] = [];
  // More than one only if someone calls next() without awaiting the previous one.
  const waiters: Array<(result: IteratorResult<BusEvent, undefined>) => void> = [];
  let closed = false;

  const close = (): void => {
    if (closed) return;
    closed = true;
    buffer = [];
    signal.removeEventListener('abort', close);
    for (const resolve of waiters.splice(0)) resolve(DONE);
    onClose(queue);
  };

  const queue: SubscriptionQueue = {
    get closed() {
      return closed;
    },
    push(event) {
      if (closed) return;
      const waiter = waiters.shift();
      if (waiter) {
        waiter({ done: false, value: event });
      } else if (event.type === 'resync') {
        // Whatever is queued is committed, so the database read that a resync triggers covers it.
        buffer = [RESYNC];
      } else if (buffer.length >= maxQueued) {
        buffer = [RESYNC];
        onOverflow?.();
      } else {
        buffer.push(event);
      }
    },
    end: close,
    next() {
      const event = buffer.shift();
      if (event) return Promise.resolve({ done: false, value: event });
      if (closed) return Promise.resolve(DONE);
      return new Promise((resolve) => waiters.push(resolve));
    },
    return() {
      close();
      return Promise.resolve(DONE);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };

  if (signal.aborted) close();
  else signal.addEventListener('abort', close, { once: true });
  return queue;
}

/**
 * A subscription over a growing set of topics, as both buses hand them out: `acquire` registers topics it
 * did not have (now, not at the first next(): callers read the database after subscribing and rely on
 * everything published from then on being queued), `release` runs for each when the queue closes.
 */
export function createTopicSubscription(
  initial: Topic[],
  options: Omit<SubscriptionQueueOptions, 'onClose'> & {
    busClosed: boolean;
    acquire: (topics: Topic[], queue: SubscriptionQueue) => void;
    release: (topic: Topic, queue: SubscriptionQueue) => void;
  },
): BusSubscription {
  const mine = new Set<Topic>();
  const queue = createSubscriptionQueue({
    ...options,
    onClose: (q) => {
      for (const topic of mine) options.release(topic, q);
    },
  });
  if (options.busClosed) queue.end();
  const add = (more: Topic[]): void => {
    if (queue.closed) return;
    const fresh = more.filter((topic) => !mine.has(topic));
    for (const topic of fresh) mine.add(topic);
    if (fresh.length) options.acquire(fresh, queue);
  };
  add(initial);
  return Object.assign(queue, { add });
}
