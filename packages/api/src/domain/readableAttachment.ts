import { TRPCError } from '@trpc/server';
import type { Deps } from '../deps.ts';

export interface ReadableAttachment {
  id: string;
  name: string;
  size: number;
  mime: string;
  kind: 'image' | 'file';
}

/**
 * An attachment the reader may fetch: one of a live message in a thread they are a member of now, or
 * their own upload not yet sent. Checked at every fetch, so a member who leaves or a session that ends
 * loses access at once. NOT_FOUND for anything else, with the same words whether or not the id exists.
 */
export async function findReadableAttachment(deps: Pick<Deps, 'db'>, readerId: string, id: string): Promise<ReadableAttachment> {
  const row = await deps.db.attachment.findUnique({
    where: { id },
    select: { id: true, name: true, size: true, mime: true, kind: true, ownerId: true, messageId: true, threadId: true, deletedAt: true },
  });
  const readable =
    row !== null &&
    row.deletedAt === null &&
    (row.messageId === null
      ? row.ownerId === readerId
      : row.threadId !== null && (await deps.db.threadMember.count({ where: { threadId: row.threadId, userId: readerId } })) > 0);
  if (!readable) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such file' });
  return { id: row.id, name: row.name, size: row.size, mime: row.mime, kind: row.kind === 'image' ? 'image' : 'file' };
}
