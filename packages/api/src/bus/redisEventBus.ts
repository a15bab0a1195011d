import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MessageView } from '../domain/messageView.ts';
import {
  sessionsEndedChannel,
  SessionsEndedListeners,
  threadChannel,
  threadTopic,
  userTopic,
  type BusEvent,
  type BusSubscription,
  type EventBus,
  type Topic,
} from './eventBus.ts';
import { presencePayload, toNoticeEvent, typingPayload } from './noticePayloads.ts';
import { createTopicSubscription, type SubscriptionQueue, type TopicHooks } from './subscriptionQueue.ts';

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

export interface RedisEventBusStats {
  /** Times the subscriber connection came back after a loss. */
  reconnects: number;
  /** Subscriptions whose backlog was dropped for a resync because they read too slowly. */
  overflows: number;
  /** Received payloads that were not a message (answered with a resync of that thread). */
  malformed: number;
  /** Redis channels this process is subscribed to: one per thread with local subscribers. */
  channels: number;
  subscriptions: number;
}

export interface RedisEventBus extends EventBus {
  stats(): RedisEventBusStats;
}

interface Channel {
  readonly name: string;
  readonly queues: Set<SubscriptionQueue>;
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

  const channels = new Map<string, Channel>();
  const counters = { reconnects: 0, overflows: 0, malformed: 0 };
  let closed = false;
  // From events rather than `subscriber.status` alone: ioredis-mock has no `status` and only emits them.
  let ready = subscriber.status === 'ready';
  let lost = false;
  let resubscribeOnReady = false;

  const resync = (queues: Iterable<SubscriptionQueue>): void => {
    for (const queue of queues) queue.push(RESYNC);
  };

  // Channels whose SUBSCRIBE is acknowledged get a resync: before that, a message published on the
  // channel reached nobody here, while the subscriber may already have read the database.
  function listen(targets: Channel[]): void {
    subscriber.subscribe(...targets.map((c) => c.name)).then(
      () => {
        // A channel released and re-acquired meanwhile is a new object with its own SUBSCRIBE.
        for (const channel of targets) if (channels.get(channel.name) === channel) resync(channel.queues);
      },
      (err: unknown) => {
        resubscribeOnReady = true;
        logger.warn({ err, channels: targets.length }, 'redis SUBSCRIBE failed; retried when the connection is ready again');
      },
    );
  }

  // SUBSCRIBE/UNSUBSCRIBE are sent synchronously at each 0<->1 transition and never awaited before
  // updating the map: one connection applies commands in send order, so an UNSUBSCRIBE followed by a
  // SUBSCRIBE of the same channel (a last subscriber leaving as a new one arrives) ends subscribed.
  function acquire(names: string[], queue: SubscriptionQueue): void {
    const fresh: Channel[] = [];
    for (const name of names) {
      let channel = channels.get(name);
      if (!channel) {
        channel = { name, queues: new Set() };
        channels.set(name, channel);
        fresh.push(channel);
      }
      channel.queues.add(queue);
    }
    // One SUBSCRIBE (and so one resync on its acknowledgement) for all the channels a call adds.
    if (fresh.length) listen(fresh);
  }

  function release(name: string, queue: SubscriptionQueue): void {
    const channel = channels.get(name);
    if (!channel?.queues.delete(queue) || channel.queues.size > 0) return;
    channels.delete(name);
    if (closed) return;
    subscriber.unsubscribe(name).catch((err: unknown) => logger.warn({ err, channel: name }, 'redis UNSUBSCRIBE failed'));
  }

  const channelOf = (topic: Topic) => `${prefix}${topic}`;
  const hooks: TopicHooks = {
    maxQueued,
    onOverflow: () => {
      counters.overflows++;
      logger.warn({ maxQueued }, 'slow bus subscriber: backlog dropped for a resync');
    },
    acquire: (added, queue) => acquire(added.map(channelOf), queue),
    release: (topic, queue) => release(channelOf(topic), queue),
  };

  // Session-ended notices have their own channel, subscribed for the bus's whole life. One missed while
  // Redis is away is caught by the server's periodic session sweep.
  const sessionsChannel = sessionsEndedChannel(prefix);
  const sessionsEnded = new SessionsEndedListeners();
  const listenForSessionsEnded = (): void => {
    subscriber.subscribe(sessionsChannel).catch((err: unknown) => {
      resubscribeOnReady = true;
      logger.warn({ err }, 'redis SUBSCRIBE to session notices failed; retried when the connection is ready again');
    });
  };
  listenForSessionsEnded();

  const onSessionsEndedMessage = (payload: string): void => {
    let ids: unknown;
    try {
      ids = JSON.parse(payload);
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      counters.malformed++;
      logger.warn({ bytes: payload.length }, 'dropped a malformed session notice');
      return;
    }
    sessionsEnded.emit(ids, (err) => logger.warn({ err }, 'session-ended listener threw'));
  };

  const onMessage = (name: string, payload: string): void => {
    if (name === sessionsChannel) return onSessionsEndedMessage(payload);
    const channel = channels.get(name);
    if (!channel) return; // was in flight when we unsubscribed
    let message: unknown;
    try {
      message = JSON.parse(payload);
    } catch {
      message = undefined;
    }
    let event: BusEvent | null;
    if (isMessageView(message)) event = { type: 'message', message };
    else if (isThreadAddedNotice(message)) event = { type: 'threadAdded', threadId: message.threadAdded };
    else event = toNoticeEvent(message);
    if (!event) {
      counters.malformed++;
      logger.warn({ channel: name, bytes: payload.length }, 'dropped a malformed bus payload');
      resync(channel.queues);
      return;
    }
    for (const queue of channel.queues) queue.push(event);
  };

  // ioredis emits 'ready' on the tick after its ready handler has already re-sent (autoResubscribe)
  // the old SUBSCRIBEs, the unacknowledged commands and the offline queue, i.e. before Redis has applied
  // them. Our own SUBSCRIBE of every live channel goes out after those, so its acknowledgement is the
  // point from which resynced readers cannot miss a message. It also repairs autoResubscribe: false and
  // SUBSCRIBEs rejected while offline (maxRetriesPerRequest).
  const onReady = (): void => {
    ready = true;
    if (lost) {
      lost = false;
      counters.reconnects++;
      logger.info({ channels: channels.size }, 'redis bus subscriber reconnected; resyncing subscriptions');
      try {
        onReconnect?.();
      } catch (err) {
        logger.warn({ err }, 'onReconnect callback threw');
      }
    }
    if (resubscribeOnReady) {
      listenForSessionsEnded();
      if (channels.size > 0) listen([...channels.values()]);
    }
    resubscribeOnReady = false;
  };
  const onDown = (): void => {
    if (!ready) return;
    ready = false;
    lost = true;
    resubscribeOnReady = true;
    logger.warn('redis bus subscriber connection lost');
  };
  const onError = (err: unknown): void => logger.warn({ err }, 'redis bus connection error');

  // A message stored while the publisher was down reached no subscriber, and in a quiet thread nothing
  // else would make them look: the newest such message per thread is published again once the
  // publisher is back (subscribers see the gap and read the rest from the database).
  const owed = new Map<string, MessageView>();
  const owePublish = (message: MessageView): void => {
    const prior = owed.get(message.threadId);
    if (!prior || prior.seq < message.seq) owed.set(message.threadId, message);
  };
  const payOwedPublishes = (): void => {
    for (const [threadId, message] of owed) {
      owed.delete(threadId);
      publisher.publish(threadChannel(prefix, threadId), JSON.stringify(message)).catch(() => owePublish(message));
    }
  };
  publisher.on('ready', payOwedPublishes);

  subscriber.on('message', onMessage);
  subscriber.on('ready', onReady);
  subscriber.on('close', onDown);
  subscriber.on('end', onDown);
  subscriber.on('error', onError);
  publisher.on('error', onError);

  return {
    async publish(message: MessageView) {
      if (closed) throw new Error('event bus is closed');
      try {
        await publisher.publish(threadChannel(prefix, message.threadId), JSON.stringify(message));
      } catch (error) {
        owePublish(message);
        throw error;
      }
    },

    async publishSessionsEnded(sessionIds) {
      if (closed) throw new Error('event bus is closed');
      await publisher.publish(sessionsChannel, JSON.stringify(sessionIds));
    },

    onSessionsEnded(listener) {
      return sessionsEnded.add(listener);
    },

    async publishThreadAdded(userIds, threadId) {
      if (closed) throw new Error('event bus is closed');
      const payload = JSON.stringify({ threadAdded: threadId });
      const pipeline = publisher.pipeline();
      for (const userId of userIds) pipeline.publish(`${prefix}${userTopic(userId)}`, payload);
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
      for (const channel of [...channels.values()]) for (const queue of [...channel.queues]) queue.end();
      channels.clear();
      subscriber.off('message', onMessage);
      publisher.off('ready', payOwedPublishes);
      subscriber.off('ready', onReady);
      subscriber.off('close', onDown);
      subscriber.off('end', onDown);
      await Promise.allSettled([quit(publisher, commandTimeoutMs), quit(subscriber, commandTimeoutMs)]);
      // After quit: a connection error while quitting would otherwise reach ioredis' console fallback.
      subscriber.off('error', onError);
      publisher.off('error', onError);
    },

    stats() {
      let subscriptions = 0;
      for (const channel of channels.values()) subscriptions += channel.queues.size;
      return { ...counters, channels: channels.size, subscriptions };
    },
  };
}

function isThreadAddedNotice(value: unknown): value is { threadAdded: string } {
  return typeof value === 'object' && value !== null && typeof (value as { threadAdded?: unknown }).threadAdded === 'string';
}

function isMessageView(value: unknown): value is MessageView {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof MessageView, unknown>>;
  return typeof candidate.threadId === 'string' && typeof candidate.seq === 'number' && typeof candidate.id === 'string';
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
