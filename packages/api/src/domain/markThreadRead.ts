import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';

/** Moves my read marker forward to `seq` (never back, never past the thread's last message). */
export async function markThreadRead(
  deps: Pick<Deps, 'db'>,
  userId: string,
  input: { threadId: string; seq: number },
): Promise<{ lastReadSeq: number }> {
  await assertThreadMember(deps, input.threadId, userId);
  const thread = await deps.db.thread.findUniqueOrThrow({ where: { id: input.threadId }, select: { lastSeq: true } });
  const target = Math.min(input.seq, thread.lastSeq);
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
