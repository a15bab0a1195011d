import type { SessionUser } from '../auth/session.ts';
import { eventBase, storeMessageChange, type ChangeDeps } from './changeMessage.ts';
import { publishChange } from './publishChange.ts';
import type { ReactionEvent } from './threadEvent.ts';

/**
 * Sets whether the actor's `emoji` is on a message. Stating the end state (not toggling) makes a retry
 * harmless: null when it already was so.
 */
export async function reactToMessage(
  deps: ChangeDeps,
  actor: SessionUser,
  input: { messageId: string; emoji: string; on: boolean },
): Promise<ReactionEvent | null> {
  const at = deps.clock.now();
  const stored = await storeMessageChange(deps, actor, {
    kind: 'reaction',
    messageId: input.messageId,
    actorId: actor.id,
    emoji: input.emoji,
    on: input.on,
    at,
  });
  if (!stored) return null;
  return publishChange(deps, { kind: 'reaction', ...eventBase(stored, input.messageId, actor, at), emoji: input.emoji, on: input.on });
}
