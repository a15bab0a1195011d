import type { ReactionSummary, UserRef } from './types.ts';

/**
 * Reactions after `actor` put `emoji` on (or took it off): one entry per emoji in the order first used,
 * users in the order they reacted, as message.list aggregates them; an emoji nobody has left goes.
 */
export function withReaction(reactions: readonly ReactionSummary[], emoji: string, actor: UserRef, on: boolean, meId: string): ReactionSummary[] {
  const index = reactions.findIndex((r) => r.emoji === emoji);
  const current = reactions[index];
  const others = (current?.users ?? []).filter((u) => u.id !== actor.id);
  const users = on ? [...others, actor] : others;
  const next = users.length === 0 ? null : { emoji, count: users.length, mine: users.some((u) => u.id === meId), users };
  if (!current) return next ? [...reactions, next] : [...reactions];
  return next ? reactions.map((r, i) => (i === index ? next : r)) : reactions.filter((_, i) => i !== index);
}
