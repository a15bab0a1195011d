import type { Deps } from '../deps.ts';
import type { UserPresence } from '../presence/presenceStore.ts';

/** Users a presence query may name at once. */
export const PRESENCE_LOOKUP_MAX_USERS = 100;

/**
 * Presence of those of `userIds` who share a thread with `viewerId` (and the viewer themself), in the
 * order asked; others are left out, so presence is not visible to strangers.
 */
export async function lookupPresence(deps: Pick<Deps, 'db' | 'presence'>, viewerId: string, userIds: string[]): Promise<UserPresence[]> {
  const asked = [...new Set(userIds)];
  const others = asked.filter((id) => id !== viewerId);
  const visible = new Set([viewerId]);
  if (others.length) {
    const rows = await deps.db.threadMember.findMany({
      where: { userId: { in: others }, thread: { members: { some: { userId: viewerId } } } },
      select: { userId: true },
      distinct: ['userId'],
    });
    for (const row of rows) visible.add(row.userId);
  }
  const shown = asked.filter((id) => visible.has(id));
  return shown.length ? deps.presence.lookup(shown) : [];
}
