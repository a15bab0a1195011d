import type { MessageView, ThreadSummary, User } from '@parley/client';
import { threadTitle } from './threadLabels.ts';

export type NotificationLevel = 'all' | 'mentions' | 'mute';

type Notified = Pick<ThreadSummary, 'id' | 'kind' | 'title' | 'members'> & { notifications?: unknown };

const LEVELS: readonly unknown[] = ['all', 'mentions', 'mute'] satisfies NotificationLevel[];
const BODY_LENGTH = 140;

/** What a thread tells me about: my setting once thread.list carries one, else everything in a direct thread and mentions in a group. */
export function notificationLevelOf(thread: Notified): NotificationLevel {
  if (LEVELS.includes(thread.notifications)) return thread.notifications as NotificationLevel;
  return thread.kind === 'group' ? 'mentions' : 'all';
}

/** Whether someone else's new `message` in `thread` is one my level lets through (the tab's visibility aside). */
export function isNotifiable(message: MessageView, thread: Notified, me: User): boolean {
  if (message.author.id === me.id || message.deletedAt) return false;
  const level = notificationLevelOf(thread);
  if (level === 'all') return true;
  return level === 'mentions' && message.mentions.some((mentioned) => mentioned.id === me.id);
}

/** Muted threads stay out of the tab's unread count as they stay out of notifications. */
export function countsAsUnread(thread: Notified): boolean {
  return notificationLevelOf(thread) !== 'mute';
}

/**
 * A notification's words: who wrote (and in which group), what they wrote unless `showText` is off (the
 * privacy setting pushes follow too), and the thread to open on click.
 */
export function notificationFor(
  message: MessageView,
  thread: Notified,
  me: User,
  showText = true,
): { title: string; body: string; tag: string; url: string } {
  const author = message.author.username;
  const title = thread.kind === 'group' ? `${author} in ${threadTitle(thread, me)}` : author;
  const url = `/t/${encodeURIComponent(thread.id)}`;
  if (!showText) return { title, body: `New message from ${author}`, tag: thread.id, url };
  const text = message.body.replace(/\s+/g, ' ').trim();
  const files = message.attachments.length === 1 ? `📎 ${message.attachments[0]?.name}` : `📎 ${message.attachments.length} files`;
  const points = Array.from(text);
  const body = !text && message.attachments.length ? files : points.length > BODY_LENGTH ? `${points.slice(0, BODY_LENGTH).join('')}…` : text;
  // The thread as tag: a newer message replaces the older one's notification (and Web Push's, which uses it too).
  return { title, body, tag: thread.id, url };
}
