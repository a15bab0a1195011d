import type { SessionUser } from '../auth/session.ts';
import { eventBase, storeMessageChange, type ChangeDeps } from './changeMessage.ts';
import { publishChange } from './publishChange.ts';
import type { DeleteEvent } from './threadEvent.ts';

/**
 * The author deletes a message: its text (and that of its earlier edits), mentions and reactions leave
 * storage, and it stays in the sequence as a tombstone. Null when it was already deleted.
 */
export async function deleteMessage(deps: ChangeDeps, actor: SessionUser, input: { messageId: string }): Promise<DeleteEvent | null> {
  const at = deps.clock.now();
  const stored = await storeMessageChange(deps, actor, { kind: 'delete', messageId: input.messageId, actorId: actor.id, at });
  if (!stored) return null;
  return publishChange(deps, { kind: 'delete', ...eventBase(stored, input.messageId, actor, at) });
}
