import { TRPCError } from '@trpc/server';
import type { Deps } from '../deps.ts';

/**
 * Throws NOT_FOUND for a thread that does not exist and FORBIDDEN for one the user is not in; returns the
 * thread's last seq (a subscription starts from it). One plain-SQL read: every subscription starts here.
 */
export async function assertThreadMember(deps: Pick<Deps, 'hotPath'>, threadId: string, userId: string): Promise<number> {
  const position = await deps.hotPath.threadPosition(threadId, userId);
  if (!position) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such thread' });
  if (!position.isMember) throw new TRPCError({ code: 'FORBIDDEN', message: 'You are not a member of this thread' });
  return position.lastSeq;
}
