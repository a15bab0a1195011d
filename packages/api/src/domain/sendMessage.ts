import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';
import { messageInclude, toMessageView, type MessageView } from './messageView.ts';

export interface SendMessageInput {
  threadId: string;
  body: string;
  clientId?: string | undefined;
}

/**
 * Stores a message with its thread's next seq, then publishes it. The seq is taken inside the insert's
 * transaction under the thread's write lock, so seq order is commit order: a subscriber that sees seq n
 * on the bus can read every seq below n from the database. Concurrent sends share one transaction
 * (group commit). A retry with the same clientId returns the first message instead of storing a second.
 */
export async function sendMessage(
  deps: Pick<Deps, 'db' | 'hotPath' | 'bus' | 'clock' | 'newId' | 'logger' | 'rateLimits' | 'metrics' | 'appendMessage'>,
  author: SessionUser,
  input: SendMessageInput,
): Promise<MessageView> {
  await deps.rateLimits.consumeSend(author.id);
  const clientId = input.clientId ?? null;
  const createdAt = deps.clock.now();
  const id = deps.newId();
  const seq = await deps.appendMessage({ id, threadId: input.threadId, authorId: author.id, body: input.body, clientId, createdAt });
  // Refusals are rare, so the common path spends no query on explaining them.
  if (seq === null) return explainRefusal(deps, author.id, input.threadId, clientId);
  deps.metrics.messagesSent.inc();
  return publishStored(deps, toMessageView({ id, threadId: input.threadId, seq, author, body: input.body, clientId, createdAt }));
}

/** Publishes a stored message; a failure is logged, not returned, since the message is stored. */
async function publishStored(deps: Pick<Deps, 'bus' | 'logger'>, message: MessageView): Promise<MessageView> {
  try {
    await deps.bus.publish(message);
  } catch (error) {
    // The bus publishes it again when Redis is back; subscribers fill any gap from the database.
    deps.logger.warn({ err: error, threadId: message.threadId, seq: message.seq }, 'bus publish failed');
  }
  return message;
}

/**
 * Why an append stored nothing: not a member (or no such thread), or a retried clientId. A retry is
 * published again, in case the first attempt was stored but never published (the process died between).
 */
async function explainRefusal(
  deps: Pick<Deps, 'db' | 'hotPath' | 'bus' | 'logger'>,
  authorId: string,
  threadId: string,
  clientId: string | null,
): Promise<MessageView> {
  await assertThreadMember(deps, threadId, authorId);
  if (clientId) return publishStored(deps, await findRetriedMessage(deps, authorId, clientId, threadId));
  throw new Error(`append refused for a member without a clientId (thread ${threadId})`);
}

async function findRetriedMessage(deps: Pick<Deps, 'db'>, authorId: string, clientId: string, threadId: string): Promise<MessageView> {
  const prior = await deps.db.message.findUniqueOrThrow({
    where: { authorId_clientId: { authorId, clientId } },
    include: messageInclude,
  });
  if (prior.threadId !== threadId) {
    throw new TRPCError({ code: 'CONFLICT', message: 'That clientId was already used for another thread' });
  }
  return toMessageView(prior);
}
