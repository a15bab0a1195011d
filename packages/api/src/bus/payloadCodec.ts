import type { MessageView } from '../domain/messageView.ts';
import type { BusEvent } from './eventBus.ts';
import { toNoticeEvent } from './noticePayloads.ts';

/**
 * What the Redis bus sends as text and reads back. Thread and user channels carry a bare MessageView, a
 * `{ threadAdded }` notice, or a typing/presence notice (noticePayloads.ts); the session channel carries
 * a JSON array of session ids.
 */
export function encodeMessage(message: MessageView): string {
  return JSON.stringify(message);
}

export function encodeThreadAdded(threadId: string): string {
  return JSON.stringify({ threadAdded: threadId });
}

export function encodeSessionIds(sessionIds: string[]): string {
  return JSON.stringify(sessionIds);
}

/** The event a thread or user channel payload carries; null for anything this bus does not send. */
export function decodeChannelPayload(payload: string): BusEvent | null {
  const value = parseJson(payload);
  if (isMessageView(value)) return { type: 'message', message: value };
  if (isThreadAddedNotice(value)) return { type: 'threadAdded', threadId: value.threadAdded };
  return toNoticeEvent(value);
}

/** The ids a session notice carries; null unless it is an array of strings. */
export function decodeSessionIds(payload: string): string[] | null {
  const ids = parseJson(payload);
  return Array.isArray(ids) && ids.every((id) => typeof id === 'string') ? ids : null;
}

function parseJson(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}

function isThreadAddedNotice(value: unknown): value is { threadAdded: string } {
  return typeof value === 'object' && value !== null && typeof (value as { threadAdded?: unknown }).threadAdded === 'string';
}

function isMessageView(value: unknown): value is MessageView {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof MessageView, unknown>>;
  return typeof candidate.threadId === 'string' && typeof candidate.seq === 'number' && typeof candidate.id === 'string';
}
