import type { ThreadEvent } from '../domain/threadEvent.ts';
import { SessionsEndedListeners, threadTopic, userTopic, type BusEvent, type BusSubscription, type EventBus, type Topic } from './eventBus.ts';
import { LocalListeners } from './localListeners.ts';
import { createTopicSubscription, type TopicHooks } from './subscriptionQueue.ts';

export interface MemoryEventBusOptions {
  maxQueuedPerSubscription?: number;
}

/** Fan-out within one process: enough for a single server, and the reference the Redis bus must match. */
export function createMemoryEventBus(options: MemoryEventBusOptions = {}): EventBus {
  const maxQueued = options.maxQueuedPerSubscription ?? 1000;
  const listeners = new LocalListeners<Topic>();
  let closed = false;
  const sessionsEnded = new SessionsEndedListeners();

  const hooks: TopicHooks = {
    maxQueued,
    acquire(added, queue) {
      for (const topic of added) listeners.add(topic, queue);
    },
    release(topic, queue) {
      listeners.remove(topic, queue);
    },
  };

  return {
    async publish(event: ThreadEvent) {
      if (closed) throw new Error('event bus is closed');
      // One event object for every subscriber, as the Redis bus does: subscribers must not mutate it.
      listeners.deliver(threadTopic(event.threadId), { type: 'event', event });
    },

    async publishRead(notice) {
      if (closed) throw new Error('event bus is closed');
      listeners.deliver(threadTopic(notice.threadId), { type: 'read', ...notice });
    },

    async publishThreadAdded(userIds, threadId) {
      if (closed) throw new Error('event bus is closed');
      const event: BusEvent = { type: 'threadAdded', threadId };
      for (const userId of userIds) listeners.deliver(userTopic(userId), event);
    },

    async publishTyping(notice) {
      if (closed) throw new Error('event bus is closed');
      listeners.deliver(threadTopic(notice.threadId), { type: 'typing', ...notice });
    },

    async publishPresence(changes) {
      if (closed) throw new Error('event bus is closed');
      for (const { change, threadIds } of changes) {
        const event: BusEvent = { type: 'presence', ...change };
        for (const threadId of threadIds) listeners.deliver(threadTopic(threadId), event);
      }
    },

    subscribe(threadId, { signal }) {
      return this.subscribeTopics([threadTopic(threadId)], { signal });
    },

    subscribeTopics(initial, { signal }): BusSubscription {
      return createTopicSubscription(initial, { signal, busClosed: closed, hooks });
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
      listeners.endAll();
    },
  };
}
