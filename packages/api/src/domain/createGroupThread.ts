import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { usernameKey } from './account.ts';
import { announceThreadAdded } from './announceThreadAdded.ts';
import { threadMembersInclude, toThreadView, type ThreadView } from './threadView.ts';

/**
 * A new group thread with me and the named users. NOT_FOUND, without saying which, when any username does
 * not exist: naming them would answer "which of these accounts exist" many names at a time.
 */
export async function createGroupThread(
  deps: Pick<Deps, 'db' | 'clock' | 'newId' | 'bus' | 'logger' | 'rateLimits'>,
  me: SessionUser,
  input: { usernames: string[]; title?: string | undefined },
): Promise<ThreadView> {
  const keys = [...new Set(input.usernames.map(usernameKey))].filter((key) => key !== usernameKey(me.username));
  await deps.rateLimits.consumeUsernameLookups(me.id, Math.max(1, keys.length));
  const users = await deps.db.user.findMany({ where: { usernameKey: { in: keys } }, select: { id: true, usernameKey: true } });
  if (users.length !== keys.length) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'Some of these usernames do not belong to anyone' });
  }
  const now = deps.clock.now();
  const created = await deps.db.thread.create({
    data: {
      id: deps.newId(),
      kind: 'group',
      title: input.title ?? null,
      createdAt: now,
      // Joined in order (me first) so that members list in a stable order.
      members: {
        create: [me.id, ...users.map((u) => u.id)].map((userId, i) => ({ userId, joinedAt: new Date(now.getTime() + i) })),
      },
    },
    include: threadMembersInclude,
  });
  await announceThreadAdded(deps, [me.id, ...users.map((u) => u.id)], created.id);
  return toThreadView(created);
}
