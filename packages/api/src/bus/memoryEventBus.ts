import type { MessageView } from '../domain/messageView.ts';
import { SessionsEndedListeners, type BusEvent, type EventBus } from './eventBus.ts';
import { createSubscriptionQueue, type SubscriptionQueue } from './subscriptionQueue.ts';

export interface MemoryEventBusOptions {
  maxQueuedPerSubscription?: number;
}

/** Fan-out within one process: enough for a single server, and the reference the Redis bus must match. */
export function createMemoryEventBus(options: MemoryEventBusOptions = {}): EventBus {
  const maxQueued = options.maxQueuedPerSubscription ?? 1000;
  const threads = new Map<string, Set<SubscriptionQueue>>();
  let closed = false;
  const sessionsEnded = new SessionsEndedListeners();

  const release = (threadId: string, queue: SubscriptionQueue): void => {
    const queues = threads.get(threadId);
    if (queues?.delete(queue) && queues.size === 0) threads.delete(threadId);
  };

  return {
    async publish(message: MessageView) {
      if (closed) throw new Error('event bus is closed');
      // One event object for every subscriber, as the Redis bus does: subscribers must not mutate it.
      const event: BusEvent = { type: 'message', message };
      for (const queue of threads.get(message.threadId) ?? []) queue.push(event);
    },

    subscribe(threadId, { signal }) {
      const queue = createSubscriptionQueue({
        signal,
        maxQueued,
        onClose: (q) => release(threadId, q),
      });
      if (closed) queue.end();
      if (queue.closed) return queue;
      // Registered now, not at the first next(): the caller reads the database after subscribing and
      // relies on everything published from here on being queued.
      let queues = threads.get(threadId);
      if (!queues) threads.set(threadId, (queues = new Set()));
      queues.add(queue);
      return queue;
    },

    async publishSessionsEnded(sessionIds) {
      sessionsEnded.emit(sessionIds, () => {});
    },

    onSessionsEnded(listener) {
      return sessionsEnded.add(listener);
    },

    async isHealthy() {
      return !closed;
    },

    async close() {
      closed = true;
      for (const queues of [...threads.values()]) for (const queue of [...queues]) queue.end();
      threads.clear();
    },
  };
}
