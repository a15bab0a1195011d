import type { BusEvent, PresenceNotice, TypingNotice } from './eventBus.ts';

/**
 * How typing and presence notices travel on Redis thread channels, next to stored messages: wrapped in a
 * one-key object so that neither can be mistaken for a MessageView (which has threadId, seq and id).
 */
export function typingPayload(notice: TypingNotice): string {
  return JSON.stringify({ typing: { threadId: notice.threadId, userId: notice.userId, username: notice.username } });
}

export function presencePayload(notice: PresenceNotice): string {
  return JSON.stringify({
    presence: { userId: notice.userId, online: notice.online, version: notice.version, lastSeenAt: notice.lastSeenAt },
  });
}

/** The event a parsed payload carries when it is a typing or presence notice; null for anything else. */
export function toNoticeEvent(value: unknown): BusEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const { typing, presence } = value as { typing?: unknown; presence?: unknown };
  if (isTypingNotice(typing)) return { type: 'typing', threadId: typing.threadId, userId: typing.userId, username: typing.username };
  if (isPresenceNotice(presence)) {
    return { type: 'presence', userId: presence.userId, online: presence.online, version: presence.version, lastSeenAt: presence.lastSeenAt };
  }
  return null;
}

function isTypingNotice(value: unknown): value is TypingNotice {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof TypingNotice, unknown>>;
  return typeof v.threadId === 'string' && typeof v.userId === 'string' && typeof v.username === 'string';
}

function isPresenceNotice(value: unknown): value is PresenceNotice {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof PresenceNotice, unknown>>;
  return (
    typeof v.userId === 'string' &&
    typeof v.online === 'boolean' &&
    typeof v.version === 'number' &&
    (v.lastSeenAt === null || typeof v.lastSeenAt === 'string')
  );
}
