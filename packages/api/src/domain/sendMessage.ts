import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { assertThreadMember } from './assertThreadMember.ts';
import { changeRefusalError } from './changeRefusalError.ts';
import { mentionCandidates } from './mentionCandidates.ts';
import { messageInclude, toMessageView, type MessageView } from './messageView.ts';
import { attachmentView } from '../db/attachmentRows.ts';
import { publishChange } from './publishChange.ts';
import { messageEvent } from './threadEvent.ts';

export interface SendMessageInput {
  threadId: string;
  body: string;
  clientId?: string | undefined;
  /** A message of the same thread this one quotes. */
  replyToId?: string | undefined;
  /** My unsent uploads to attach, in order (at most MAX_ATTACHMENTS_PER_MESSAGE). */
  attachmentIds?: readonly string[] | undefined;
}

/**
 * Stores a message with its thread's next seq, then publishes it as a `message` event. Mentions are the
 * thread's members among its `@names`, resolved in the storing transaction. The seq is taken inside the insert's
 * transaction under the thread's write lock, so seq order is commit order: a subscriber that sees seq n
 * on the bus can read every seq below n from the database. Concurrent sends share one transaction
 * (group commit). A retry with the same clientId returns the first message instead of storing a second.
 */
export async function sendMessage(
  deps: Pick<Deps, 'db' | 'hotPath' | 'bus' | 'clock' | 'newId' | 'logger' | 'rateLimits' | 'metrics' | 'appendChange' | 'push'>,
  author: SessionUser,
  input: SendMessageInput,
): Promise<MessageView> {
  await deps.rateLimits.consumeSend(author.id);
  const clientId = input.clientId ?? null;
  const createdAt = deps.clock.now();
  const id = deps.newId();
  const result = await deps.appendChange({
    kind: 'message',
    id,
    threadId: input.threadId,
    authorId: author.id,
    body: input.body,
    clientId,
    createdAt,
    replyToId: input.replyToId ?? null,
    mentionCandidates: mentionCandidates(input.body),
    attachmentIds: input.attachmentIds ?? [],
  });
  if (!result.stored) {
    // Refusals are rare, so the common path spends no query on explaining them.
    if (result.refusal === 'refused') return explainRefusal(deps, author.id, input.threadId, clientId);
    if (result.refusal === 'unchanged') throw new Error('a new message cannot be unchanged');
    throw changeRefusalError(result.refusal);
  }
  deps.metrics.messagesSent.inc();
  const message = toMessageView(
    { id, threadId: input.threadId, seq: result.seq, author, body: input.body, clientId, createdAt },
    { mentions: result.mentions, replyTo: result.replyTo, attachments: result.attachments },
  );
  await publishChange(deps, messageEvent(message));
  deps.push.onMessage(message);
  return message;
}

async function publishStored(deps: Pick<Deps, 'bus' | 'logger'>, message: MessageView): Promise<MessageView> {
  await publishChange(deps, messageEvent(message));
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
    include: {
      ...messageInclude,
      mentions: { select: { user: { select: { id: true, username: true } } } },
      attachments: { where: { deletedAt: null }, orderBy: { position: 'asc' } },
    },
  });
  if (prior.threadId !== threadId) {
    throw new TRPCError({ code: 'CONFLICT', message: 'That clientId was already used for another thread' });
  }
  // The message as it was sent, in the state it is in now; its quote is left out (the client has it from
  // its own send, and history shows it).
  return toMessageView(prior, {
    editedAt: prior.editedAt?.toISOString() ?? null,
    deletedAt: prior.deletedAt?.toISOString() ?? null,
    mentions: prior.mentions.map((m) => m.user),
    attachments: prior.attachments.map(attachmentView),
  });
}
