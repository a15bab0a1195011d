import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { usernameKey } from './account.ts';
import { isUniqueViolation } from './prismaErrors.ts';
import { announceThreadAdded } from './announceThreadAdded.ts';
import { threadMembersInclude, toThreadView, type ThreadView } from './threadView.ts';

/**
 * The one direct thread between me and `username`, created on first use. Both sides racing to create it
 * meet on the unique directKey: the loser of the insert reads the winner's thread.
 */
export async function getOrCreateDirectThread(
  deps: Pick<Deps, 'db' | 'clock' | 'newId' | 'bus' | 'logger' | 'rateLimits'>,
  me: SessionUser,
  username: string,
): Promise<ThreadView> {
  // Each call answers "does this username exist": limited per user, so nobody can list the accounts.
  await deps.rateLimits.consumeUsernameLookups(me.id, 1);
  const other = await deps.db.user.findUnique({
    where: { usernameKey: usernameKey(username) },
    select: { id: true },
  });
  if (!other) throw new TRPCError({ code: 'NOT_FOUND', message: `No user is called ${username}` });
  const memberIds = [...new Set([me.id, other.id])].sort();
  const directKey = memberIds.join(':');

  const existing = await deps.db.thread.findUnique({ where: { directKey }, include: threadMembersInclude });
  if (existing) return toThreadView(existing);

  const now = deps.clock.now();
  try {
    const created = await deps.db.thread.create({
      data: {
        id: deps.newId(),
        kind: 'direct',
        directKey,
        createdAt: now,
        members: { create: memberIds.map((userId) => ({ userId, joinedAt: now })) },
      },
      include: threadMembersInclude,
    });
    await announceThreadAdded(deps, memberIds, created.id);
    return toThreadView(created);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await deps.db.thread.findUniqueOrThrow({ where: { directKey }, include: threadMembersInclude });
    return toThreadView(winner);
  }
}
