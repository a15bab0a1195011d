import type { SessionUser } from '../auth/session.ts';
import { eventBase, storeMessageChange, type ChangeDeps } from './changeMessage.ts';
import type { Deps } from '../deps.ts';
import { publishChange } from './publishChange.ts';
import { removeFilesOfDeletedMessage } from './removeUploads.ts';
import type { DeleteEvent } from './threadEvent.ts';

/**
 * The author deletes a message: its text (and that of its earlier edits), mentions and reactions leave
 * storage, and it stays in the sequence as a tombstone. Null when it was already deleted.
 */
export async function deleteMessage(
  deps: ChangeDeps & Pick<Deps, 'db' | 'files'>,
  actor: SessionUser,
  input: { messageId: string },
): Promise<DeleteEvent | null> {
  const at = deps.clock.now();
  const stored = await storeMessageChange(deps, actor, { kind: 'delete', messageId: input.messageId, actorId: actor.id, at });
  if (!stored) return null;
  // Its files are no longer served from the commit on; their bytes go now, off the caller's time.
  removeFilesOfDeletedMessage(deps, input.messageId).catch((err: unknown) =>
    deps.logger.warn({ err, messageId: input.messageId }, 'could not remove a deleted message’s files; the upload sweep will'),
  );
  return publishChange(deps, { kind: 'delete', ...eventBase(stored, input.messageId, actor, at) });
}
