import type { SessionUser } from '../auth/session.ts';
import type { ChangeRequest, StoredChange } from '../db/changeRequests.ts';
import type { Deps } from '../deps.ts';
import { changeRefusalError } from './changeRefusalError.ts';

export type ChangeDeps = Pick<Deps, 'appendChange' | 'bus' | 'clock' | 'logger' | 'rateLimits'>;

/**
 * Stores an edit, delete or reaction through the send path's group commit and rate-limit bucket.
 * Resolves with the stored change, or null when it would change nothing (a retry, a no-op edit);
 * throws the refusal's error otherwise.
 */
export async function storeMessageChange(
  deps: ChangeDeps,
  actor: SessionUser,
  request: Exclude<ChangeRequest, { kind: 'message' }>,
): Promise<StoredChange | null> {
  await deps.rateLimits.consumeSend(actor.id);
  const result = await deps.appendChange(request);
  if (result.stored) return result;
  if (result.refusal === 'unchanged') return null;
  if (result.refusal === 'refused') throw new Error('only a message can be refused without a reason');
  throw changeRefusalError(result.refusal);
}

/** The fields every event shares, for a change just stored. */
export function eventBase(stored: StoredChange, messageId: string, actor: SessionUser, at: Date) {
  return { threadId: stored.threadId, seq: stored.seq, messageId, actor: { id: actor.id, username: actor.username }, at: at.toISOString() };
}
