import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { usernameKey } from './account.ts';
import { announceThreadAdded } from './announceThreadAdded.ts';
import { threadMembersInclude, toThreadView, type ThreadView } from './threadView.ts';

/** A new group thread with me and the named users; NOT_FOUND names any username that does not exist. */
export async function createGroupThread(
  deps: Pick<Deps, 'db' | 'clock' | 'newId' | 'bus' | 'logger'>,
  me: SessionUser,
  input: { usernames: string[]; title?: string | undefined },
): Promise<ThreadView> {
  const keys = [...new Set(input.usernames.map(usernameKey))].filter((key) => key !== usernameKey(me.username));
  const users = await deps.db.user.findMany({ where: { usernameKey: { in: keys } }, select: { id: true, usernameKey: true } });
  if (users.length !== keys.length) {
    const found = new Set(users.map((u) => u.usernameKey));
    const missing = input.usernames.filter((name) => !found.has(usernameKey(name)) && usernameKey(name) !== usernameKey(me.username));
    throw new TRPCError({ code: 'NOT_FOUND', message: `No user is called ${missing.join(', ')}` });
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
