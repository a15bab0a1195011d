import type { BusEvent, PresenceNotice, ReadNotice, TypingNotice } from './eventBus.ts';

/**
 * How typing, presence and read notices travel on Redis thread channels, next to stored events: each
 * wrapped in a one-key object whose key names it (see payloadCodec.ts).
 */
export function typingPayload(notice: TypingNotice): string {
  return JSON.stringify({ typing: { threadId: notice.threadId, userId: notice.userId, username: notice.username } });
}

export function presencePayload(notice: PresenceNotice): string {
  return JSON.stringify({
    presence: { userId: notice.userId, online: notice.online, version: notice.version, lastSeenAt: notice.lastSeenAt },
  });
}

export function readPayload(notice: ReadNotice): string {
  return JSON.stringify({ read: { threadId: notice.threadId, userId: notice.userId, lastReadSeq: notice.lastReadSeq } });
}

/** The event a parsed payload carries when it is a typing, presence or read notice; null for anything else. */
export function toNoticeEvent(value: unknown): BusEvent | null {
  if (typeof value !== 'object' || value === null) return null;
  const { typing, presence, read } = value as { typing?: unknown; presence?: unknown; read?: unknown };
  if (isReadNotice(read)) return { type: 'read', threadId: read.threadId, userId: read.userId, lastReadSeq: read.lastReadSeq };
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

function isReadNotice(value: unknown): value is ReadNotice {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof ReadNotice, unknown>>;
  return typeof v.threadId === 'string' && typeof v.userId === 'string' && Number.isSafeInteger(v.lastReadSeq);
}
