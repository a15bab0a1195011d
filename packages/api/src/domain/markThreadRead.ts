import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';

/**
 * Moves my read marker forward to `seq` (never back, never past the thread's last seq) and, when it
 * moved, tells the thread's members (read receipts; throttled per member by deps.announceRead).
 */
export async function markThreadRead(
  deps: Pick<Deps, 'db' | 'hotPath' | 'announceRead'>,
  userId: string,
  input: { threadId: string; seq: number },
): Promise<{ lastReadSeq: number }> {
  const lastSeq = await assertThreadMember(deps, input.threadId, userId);
  const target = Math.min(input.seq, lastSeq);
  const { count } = await deps.db.threadMember.updateMany({
    where: { threadId: input.threadId, userId, lastReadSeq: { lt: target } },
    data: { lastReadSeq: target },
  });
  const member = await deps.db.threadMember.findUniqueOrThrow({
    where: { threadId_userId: { threadId: input.threadId, userId } },
    select: { lastReadSeq: true },
  });
  if (count > 0) deps.announceRead({ threadId: input.threadId, userId, lastReadSeq: member.lastReadSeq });
  return member;
}
