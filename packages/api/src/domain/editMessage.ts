import type { SessionUser } from '../auth/session.ts';
import { eventBase, storeMessageChange, type ChangeDeps } from './changeMessage.ts';
import { mentionCandidates } from './mentionCandidates.ts';
import { publishChange } from './publishChange.ts';
import type { EditEvent } from './threadEvent.ts';

/** The author replaces a message's text; the thread gets an `edit` event. Null when the text is the same (nothing stored). */
export async function editMessage(deps: ChangeDeps, actor: SessionUser, input: { messageId: string; body: string }): Promise<EditEvent | null> {
  const at = deps.clock.now();
  const stored = await storeMessageChange(deps, actor, {
    kind: 'edit',
    messageId: input.messageId,
    actorId: actor.id,
    body: input.body,
    mentionCandidates: mentionCandidates(input.body),
    at,
  });
  if (!stored) return null;
  return publishChange(deps, { kind: 'edit', ...eventBase(stored, input.messageId, actor, at), body: input.body, mentions: stored.mentions });
}
