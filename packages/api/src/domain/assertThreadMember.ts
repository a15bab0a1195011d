import { TRPCError } from '@trpc/server';
import type { Deps } from '../deps.ts';

/** Throws NOT_FOUND for a thread that does not exist and FORBIDDEN for one the user is not in. */
export async function assertThreadMember(deps: Pick<Deps, 'db'>, threadId: string, userId: string): Promise<void> {
  const membership = await deps.db.threadMember.findUnique({
    where: { threadId_userId: { threadId, userId } },
    select: { userId: true },
  });
  if (membership) return;
  const thread = await deps.db.thread.findUnique({ where: { id: threadId }, select: { id: true } });
  if (!thread) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such thread' });
  throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not a member of this thread' });
}
