import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';
import { messageInclude, toMessageView, type MessageView } from './messageView.ts';
import { isUniqueViolation } from './prismaErrors.ts';

export interface SendMessageInput {
  threadId: string;
  body: string;
  clientId?: string | undefined;
}

/**
 * Stores a message with the thread's next seq, then publishes it. The seq comes from bumping
 * Thread.lastSeq inside the insert's transaction: the row lock that takes makes seq order commit order,
 * so a subscriber that sees seq n on the bus can read every seq below n from the database.
 * A retry with the same clientId returns the first message instead of storing a second.
 */
export async function sendMessage(
  deps: Pick<Deps, 'db' | 'bus' | 'clock' | 'newId' | 'logger' | 'rateLimits' | 'metrics'>,
  author: SessionUser,
  input: SendMessageInput,
): Promise<MessageView> {
  await deps.rateLimits.consumeSend(author.id);
  await assertThreadMember(deps, input.threadId, author.id);
  const clientId = input.clientId ?? null;
  let message: MessageView;
  try {
    message = await deps.db.$transaction(async (tx) => {
      const now = deps.clock.now();
      const { lastSeq: seq } = await tx.thread.update({
        where: { id: input.threadId },
        data: { lastSeq: { increment: 1 }, lastMessageAt: now },
        select: { lastSeq: true },
      });
      const row = await tx.message.create({
        data: { id: deps.newId(), threadId: input.threadId, seq, authorId: author.id, body: input.body, clientId, createdAt: now },
      });
      await tx.threadMember.update({
        where: { threadId_userId: { threadId: input.threadId, userId: author.id } },
        data: { lastReadSeq: seq },
      });
      return toMessageView({ ...row, author });
      // Senders of one thread queue on its row lock; waiting is better than failing a send that would succeed.
    }, { maxWait: 10_000, timeout: 15_000 });
  } catch (error) {
    // The unique (authorId, clientId) key is the idempotency check: no extra read on the common path.
    if (clientId && isUniqueViolation(error)) return findRetriedMessage(deps, author.id, clientId, input.threadId);
    throw error;
  }
  deps.metrics.messagesSent.inc();
  try {
    await deps.bus.publish(message);
  } catch (error) {
    // Stored is delivered: subscribers fill the gap from the database at the next message or reconnect.
    deps.logger.warn({ err: error, threadId: message.threadId, seq: message.seq }, 'bus publish failed');
  }
  return message;
}

async function findRetriedMessage(
  deps: Pick<Deps, 'db'>,
  authorId: string,
  clientId: string,
  threadId: string,
): Promise<MessageView> {
  const prior = await deps.db.message.findUniqueOrThrow({
    where: { authorId_clientId: { authorId, clientId } },
    include: messageInclude,
  });
  if (prior.threadId !== threadId) {
    throw new TRPCError({ code: 'CONFLICT', message: 'That clientId was already used for another thread' });
  }
  return toMessageView(prior);
}
