import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import webpush, { WebPushError } from 'web-push';
import type { Db } from '../db/db.ts';
import { replySnippet, type MessageView } from '../domain/messageView.ts';
import type { FocusStore } from './focusStore.ts';
import { effectiveLevel } from './notificationLevel.ts';
import type { PushJob, PushQueue } from './pushQueue.ts';
import { loadVapidKeys, type VapidKeys } from './vapidKeys.ts';

export interface PushConfig {
  /** The VAPID `sub` claim: a mailto: or https: contact for push services. */
  subject: string;
  /** How long a push waits for more messages of the same thread, so a burst is one notification. */
  coalesceMs: number;
  /** How long one push service request may take. */
  timeoutMs: number;
  /** How often due pushes are looked for. */
  pollMs: number;
}

/** What a notification says; the service worker shows it (title, body) and opens `url` on click. */
interface PushPayload {
  title: string;
  /** The text (or, when the person chose notifications without text, only who wrote). */
  body: string;
  threadId: string;
  url: string;
  count: number;
}

/**
 * Web Push from the server itself. A stored message only queues a job (per person and thread, so a burst
 * coalesces); a poller sends due jobs, so a slow or dead push service never delays delivery. With Redis
 * the queue is shared and each job is sent by one process.
 */
export interface PushNotifier {
  /** A message was stored: queue pushes for the members whose level wants it. Never waits, never throws. */
  onMessage(message: MessageView): void;
  /** Forgets the cached recipients of a thread (its levels or someone's subscriptions changed). */
  forgetThread(threadId: string): void;
  forgetUser(userId: string): void;
  vapidPublicKey(): Promise<string>;
  /** Sends the pushes due now; the poller calls it, tests may too. Resolves with how many were sent. */
  sendDue(): Promise<number>;
  start(): void;
  stop(): void;
}

interface Recipient {
  userId: string;
  level: string | null;
}

/** How long a thread's push recipients are cached: sends do not each pay a query. */
const RECIPIENTS_TTL_MS = 10_000;

export function createPushNotifier(deps: {
  db: Db;
  logger: Logger;
  focus: FocusStore;
  queue: PushQueue;
  config: PushConfig;
  now?: () => number;
}): PushNotifier {
  const { db, focus, queue, config } = deps;
  const logger = deps.logger.child({ component: 'push' });
  const now = deps.now ?? Date.now;
  let keys: Promise<VapidKeys> | null = null;
  const vapid = () => (keys ??= loadVapidKeys(db).catch((error: unknown) => ((keys = null), Promise.reject(error))));
  const recipients = new Map<string, { until: number; kind: string; members: Recipient[] }>();
  let timer: NodeJS.Timeout | null = null;
  let sending = false;

  async function recipientsOf(threadId: string) {
    const cached = recipients.get(threadId);
    if (cached && cached.until > now()) return cached;
    const thread = await db.thread.findUnique({
      where: { id: threadId },
      select: {
        kind: true,
        members: { where: { user: { pushSubscriptions: { some: {} } } }, select: { userId: true, notifications: true } },
      },
    });
    const entry = {
      until: now() + RECIPIENTS_TTL_MS,
      kind: thread?.kind ?? 'direct',
      members: (thread?.members ?? []).map((m) => ({ userId: m.userId, level: m.notifications })),
    };
    recipients.set(threadId, entry);
    return entry;
  }

  async function enqueue(message: MessageView): Promise<void> {
    const { kind, members } = await recipientsOf(message.threadId);
    for (const member of members) {
      if (member.userId === message.author.id) continue;
      const level = effectiveLevel(member.level, kind);
      if (level === 'mute') continue;
      if (level === 'mentions' && !message.mentions.some((m) => m.id === member.userId)) continue;
      await queue.schedule({ userId: member.userId, threadId: message.threadId }, now() + config.coalesceMs);
    }
  }

  /** Sends one person the news of one thread since what they read or were last pushed; 0 or 1. */
  async function deliver(job: PushJob): Promise<number> {
    // An open, focused tab shows the message itself.
    if (await focus.isFocused(job.userId)) return 0;
    const member = await db.threadMember.findUnique({
      where: { threadId_userId: { threadId: job.threadId, userId: job.userId } },
      select: {
        lastReadSeq: true,
        notifications: true,
        thread: { select: { kind: true, title: true } },
        user: { select: { notificationText: true, pushSubscriptions: { select: { endpoint: true, p256dh: true, auth: true } } } },
      },
    });
    if (!member || member.user.pushSubscriptions.length === 0) return 0;
    const level = effectiveLevel(member.notifications, member.thread.kind);
    if (level === 'mute') return 0;
    const after = Math.max(member.lastReadSeq, await queue.pushedUpTo(job));
    const where = {
      threadId: job.threadId,
      seq: { gt: after },
      authorId: { not: job.userId },
      deletedAt: null,
      ...(level === 'mentions' ? { mentions: { some: { userId: job.userId } } } : {}),
    };
    const [newest, count] = await Promise.all([
      db.message.findFirst({
        where,
        orderBy: { seq: 'desc' },
        select: { seq: true, body: true, attachmentCount: true, author: { select: { username: true } } },
      }),
      db.message.count({ where }),
    ]);
    if (!newest) return 0;
    const payload = describe(newest, count, member.thread, member.user.notificationText, job.threadId);
    const { publicKey, privateKey } = await vapid();
    await Promise.all(
      member.user.pushSubscriptions.map((subscription) =>
        webpush
          .sendNotification(
            { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
            JSON.stringify(payload),
            {
              vapidDetails: { subject: config.subject, publicKey, privateKey },
              TTL: 24 * 60 * 60,
              // One notification per thread waits at the push service: a newer one replaces it.
              topic: createHash('sha256').update(job.threadId).digest('base64url').slice(0, 32),
              urgency: level === 'mentions' ? 'high' : 'normal',
              timeout: config.timeoutMs,
              contentEncoding: 'aes128gcm',
            },
          )
          .catch(async (error: unknown) => {
            if (error instanceof WebPushError && (error.statusCode === 404 || error.statusCode === 410)) {
              // The browser unsubscribed or the subscription expired: the push service says it is gone.
              await db.pushSubscription.deleteMany({ where: { endpoint: subscription.endpoint } });
              recipients.delete(job.threadId);
              logger.info({ userId: job.userId, status: error.statusCode }, 'dropped a push subscription the push service says is gone');
            } else {
              logger.warn({ err: error, userId: job.userId }, 'push failed');
            }
          }),
      ),
    );
    await queue.markPushed(job, newest.seq);
    return 1;
  }

  return {
    onMessage(message) {
      enqueue(message).catch((err: unknown) => logger.warn({ err, threadId: message.threadId }, 'could not queue pushes'));
    },
    forgetThread(threadId) {
      recipients.delete(threadId);
    },
    forgetUser() {
      // Which cached threads the user is in is not kept; their subscriptions changed rarely enough to start afresh.
      recipients.clear();
    },
    vapidPublicKey: async () => (await vapid()).publicKey,
    async sendDue() {
      if (sending) return 0;
      sending = true;
      try {
        const jobs = await queue.takeDue(now(), 100);
        const sent = await Promise.all(
          jobs.map((job) => deliver(job).catch((err: unknown) => (logger.warn({ err, ...job }, 'push delivery failed'), 0))),
        );
        return sent.reduce((a, b) => a + b, 0);
      } finally {
        sending = false;
      }
    },
    start() {
      timer ??= setInterval(() => {
        this.sendDue().catch((err: unknown) => logger.warn({ err }, 'push poll failed'));
      }, config.pollMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

function describe(
  newest: { body: string; attachmentCount: number; author: { username: string } },
  count: number,
  thread: { kind: string; title: string | null },
  showText: boolean,
  threadId: string,
): PushPayload {
  const sender = newest.author.username;
  const isGroup = thread.kind === 'group';
  const title = isGroup ? (thread.title ?? 'Group') : sender;
  const more = count > 1 ? ` (+${count - 1} more)` : '';
  // Without text: who wrote, in which thread (the title), and nothing of what.
  if (!showText) return { title, body: `New message from ${sender}${more}`, threadId, url: `/t/${threadId}`, count };
  const text = newest.body ? replySnippet(newest.body) : newest.attachmentCount > 0 ? '📎 a file' : '';
  return { title, body: `${isGroup ? `${sender}: ` : ''}${text}${more}`, threadId, url: `/t/${threadId}`, count };
}
