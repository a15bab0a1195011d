import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ThreadEvent } from '../domain/threadEvent.ts';
import { ChannelRefCounts } from './channelRefCounts.ts';
import {
  sessionsEndedChannel,
  threadChannel,
  threadTopic,
  userTopic,
  type BusEvent,
  type BusSubscription,
  type EventBus,
  type Topic,
} from './eventBus.ts';
import { fanOut } from './localListeners.ts';
import { presencePayload, readPayload, typingPayload } from './noticePayloads.ts';
import { createOwedPublishes } from './owedPublishes.ts';
import { decodeChannelPayload, encodeThreadAdded, encodeThreadEvent } from './payloadCodec.ts';
import { SessionNotices } from './sessionNotices.ts';
import { createTopicSubscription, type TopicHooks } from './subscriptionQueue.ts';

export interface RedisEventBusOptions {
  publisher: Redis;
  /** Dedicated to SUBSCRIBE (Redis allows nothing else on it); the bus quits it on close(). */
  subscriber: Redis;
  /** Channel prefix, e.g. `parley:`; ioredis' keyPrefix does not apply to channels. */
  prefix: string;
  logger: Logger;
  maxQueuedPerSubscription?: number;
  /** Called each time the subscriber connection came back after a loss, e.g. to count it in metrics. */
  onReconnect?: () => void;
  /** Bounds isHealthy()'s PING and close()'s QUIT, which ioredis would otherwise queue while offline. */
  commandTimeoutMs?: number;
}

interface RedisEventBusStats {
  /** Times the subscriber connection came back after a loss. */
  reconnects: number;
  /** Subscriptions whose backlog was dropped for a resync because they read too slowly. */
  overflows: number;
  /** Received payloads this bus does not send (answered with a resync of that thread). */
  malformed: number;
  /** Redis channels this process is subscribed to: one per thread with local subscribers. */
  channels: number;
  subscriptions: number;
}

export interface RedisEventBus extends EventBus {
  stats(): RedisEventBusStats;
}

const RESYNC: BusEvent = { type: 'resync' };

/**
 * Fan-out across processes over Redis pub/sub. Per process: one subscriber connection, one Redis
 * subscription per thread however many local subscribers it has, one JSON.parse per received message
 * whose result every local subscriber shares (so they must not mutate it).
 */
export function createRedisEventBus(options: RedisEventBusOptions): RedisEventBus {
  const { publisher, subscriber, prefix, onReconnect } = options;
  if (publisher === subscriber) throw new Error('the subscriber connection must be dedicated, not the publisher');
  const logger = options.logger.child({ component: 'redisEventBus' });
  const maxQueued = options.maxQueuedPerSubscription ?? 1000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000;

  const counters = { reconnects: 0, overflows: 0, malformed: 0 };
  let closed = false;
  // From events rather than `subscriber.status` alone: ioredis-mock has no `status` and only emits them.
  let ready = subscriber.status === 'ready';
  let lost = false;

  const channels = new ChannelRefCounts(subscriber, logger);
  const channelOf = (topic: Topic) => `${prefix}${topic}`;
  const hooks: TopicHooks = {
    maxQueued,
    onOverflow: () => {
      counters.overflows++;
      logger.warn({ maxQueued }, 'slow bus subscriber: backlog dropped for a resync');
    },
    acquire: (added, queue) => channels.acquire(added.map(channelOf), queue),
    release: (topic, queue) => channels.release(channelOf(topic), queue),
  };

  const sessions = new SessionNotices({
    channel: sessionsEndedChannel(prefix),
    publisher,
    subscriber,
    logger,
    onMalformed: () => counters.malformed++,
  });

  const publishEvent = (event: ThreadEvent) => publisher.publish(threadChannel(prefix, event.threadId), encodeThreadEvent(event));
  const owed = createOwedPublishes(publishEvent);

  const onMessage = (name: string, payload: string): void => {
    if (name === sessions.channel) return sessions.receive(payload);
    const queues = channels.queuesOf(name);
    if (!queues) return; // was in flight when we unsubscribed
    const event = decodeChannelPayload(payload);
    if (!event) {
      counters.malformed++;
      logger.warn({ channel: name, bytes: payload.length }, 'dropped a malformed bus payload');
      fanOut(queues, RESYNC);
      return;
    }
    fanOut(queues, event);
  };

  const onReady = (): void => {
    ready = true;
    if (lost) {
      lost = false;
      counters.reconnects++;
      logger.info({ channels: channels.channelCount }, 'redis bus subscriber reconnected; resyncing subscriptions');
      try {
        onReconnect?.();
      } catch (err) {
        logger.warn({ err }, 'onReconnect callback threw');
      }
    }
    sessions.onConnectionReady();
    channels.onConnectionReady();
  };
  const onDown = (): void => {
    if (!ready) return;
    ready = false;
    lost = true;
    sessions.onConnectionLost();
    channels.onConnectionLost();
    logger.warn('redis bus subscriber connection lost');
  };
  const onError = (err: unknown): void => logger.warn({ err }, 'redis bus connection error');

  publisher.on('ready', owed.pay);
  subscriber.on('message', onMessage);
  subscriber.on('ready', onReady);
  subscriber.on('close', onDown);
  subscriber.on('end', onDown);
  subscriber.on('error', onError);
  publisher.on('error', onError);

  return {
    async publish(event: ThreadEvent) {
      if (closed) throw new Error('event bus is closed');
      try {
        await publishEvent(event);
      } catch (error) {
        owed.owe(event);
        throw error;
      }
    },

    // Like typing: the marker is stored, so a notice lost while Redis is away is not owed later.
    async publishRead(notice) {
      if (closed) throw new Error('event bus is closed');
      await publisher.publish(threadChannel(prefix, notice.threadId), readPayload(notice));
    },

    async publishSessionsEnded(sessionIds) {
      if (closed) throw new Error('event bus is closed');
      await sessions.publish(sessionIds);
    },

    onSessionsEnded(listener) {
      return sessions.add(listener);
    },

    async publishThreadAdded(userIds, threadId) {
      if (closed) throw new Error('event bus is closed');
      const payload = encodeThreadAdded(threadId);
      const pipeline = publisher.pipeline();
      for (const userId of userIds) pipeline.publish(channelOf(userTopic(userId)), payload);
      await pipeline.exec();
    },

    // Typing and presence notices are ephemeral: one lost while Redis is away is not owed later.
    async publishTyping(notice) {
      if (closed) throw new Error('event bus is closed');
      await publisher.publish(threadChannel(prefix, notice.threadId), typingPayload(notice));
    },

    async publishPresence(changes) {
      if (closed) throw new Error('event bus is closed');
      const pipeline = publisher.pipeline();
      for (const { change, threadIds } of changes) {
        const payload = presencePayload(change);
        for (const threadId of threadIds) pipeline.publish(threadChannel(prefix, threadId), payload);
      }
      await pipeline.exec();
    },

    subscribe(threadId, { signal }) {
      return this.subscribeTopics([threadTopic(threadId)], { signal });
    },

    subscribeTopics(topics, { signal }): BusSubscription {
      return createTopicSubscription(topics, { signal, busClosed: closed, hooks });
    },

    async isHealthy() {
      if (closed || !ready) return false;
      try {
        return (await withTimeout(publisher.ping(), commandTimeoutMs)) === 'PONG';
      } catch {
        return false;
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      channels.close();
      subscriber.off('message', onMessage);
      publisher.off('ready', owed.pay);
      subscriber.off('ready', onReady);
      subscriber.off('close', onDown);
      subscriber.off('end', onDown);
      await Promise.allSettled([quit(publisher, commandTimeoutMs), quit(subscriber, commandTimeoutMs)]);
      // After quit: a connection error while quitting would otherwise reach ioredis' console fallback.
      subscriber.off('error', onError);
      publisher.off('error', onError);
    },

    stats() {
      return { ...counters, channels: channels.channelCount, subscriptions: channels.queueCount };
    },
  };
}

// QUIT is queued, not sent, while ioredis is reconnecting with commands pending, so it could hang.
async function quit(client: Redis, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(client.quit(), timeoutMs);
  } catch {
    client.disconnect();
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
