import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';

/** Moves my read marker forward to `seq` (never back, never past the thread's last message). */
export async function markThreadRead(
  deps: Pick<Deps, 'db' | 'hotPath'>,
  userId: string,
  input: { threadId: string; seq: number },
): Promise<{ lastReadSeq: number }> {
  const lastSeq = await assertThreadMember(deps, input.threadId, userId);
  const target = Math.min(input.seq, lastSeq);
  await deps.db.threadMember.updateMany({
    where: { threadId: input.threadId, userId, lastReadSeq: { lt: target } },
    data: { lastReadSeq: target },
  });
  const member = await deps.db.threadMember.findUniqueOrThrow({
    where: { threadId_userId: { threadId: input.threadId, userId } },
    select: { lastReadSeq: true },
  });
  return member;
}
