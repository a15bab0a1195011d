import type { ThreadEvent } from '../domain/threadEvent.ts';
import type { BusEvent } from './eventBus.ts';
import { toNoticeEvent } from './noticePayloads.ts';

/**
 * What the Redis bus sends as text and reads back. Every thread and user channel payload is an object
 * with one tag key naming what it carries: `{ event }` (a stored change of the thread's log),
 * `{ threadAdded }`, or a typing/presence/read notice (noticePayloads.ts), so no payload can be taken for
 * another. The session channel carries a JSON array of session ids.
 */
export function encodeThreadEvent(event: ThreadEvent): string {
  return JSON.stringify({ event });
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
  if (isThreadEventPayload(value)) return { type: 'event', event: value.event };
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

const EVENT_KINDS: ReadonlySet<string> = new Set<ThreadEvent['kind']>(['message', 'edit', 'delete', 'reaction']);

/** The checks the subscriber's cursor relies on (thread, seq, kind); the rest is what this cluster's processes wrote. */
function isThreadEventPayload(value: unknown): value is { event: ThreadEvent } {
  if (typeof value !== 'object' || value === null) return false;
  const event = (value as { event?: unknown }).event;
  if (typeof event !== 'object' || event === null) return false;
  const candidate = event as Partial<Record<keyof ThreadEvent, unknown>>;
  return (
    typeof candidate.threadId === 'string' &&
    Number.isSafeInteger(candidate.seq) &&
    typeof candidate.kind === 'string' &&
    EVENT_KINDS.has(candidate.kind) &&
    typeof candidate.messageId === 'string'
  );
}
