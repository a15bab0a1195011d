import { TRPCError } from '@trpc/server';
import type { Deps } from '../deps.ts';

/**
 * Throws NOT_FOUND, with one message, for a thread that does not exist and for one the user is not in:
 * a different answer would tell a stranger which thread ids are real. Returns the thread's last seq (a
 * subscription starts from it). One plain-SQL read: every subscription starts here.
 */
export async function assertThreadMember(deps: Pick<Deps, 'hotPath'>, threadId: string, userId: string): Promise<number> {
  const position = await deps.hotPath.threadPosition(threadId, userId);
  if (!position?.isMember) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such thread' });
  return position.lastSeq;
}
