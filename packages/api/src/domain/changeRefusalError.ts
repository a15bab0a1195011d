import { TRPCError } from '@trpc/server';
import type { ChangeRefusal } from '../db/changeRequests.ts';
import { MAX_EMOJI_PER_MESSAGE } from '../db/changeScripts.ts';

/**
 * The error a refused edit, delete, reaction or reply gets. A message in a thread the caller is not in
 * is NOT_FOUND with the same words as one that does not exist: a stranger learns nothing from the id.
 */
export function changeRefusalError(refusal: Exclude<ChangeRefusal, 'unchanged' | 'refused'>): TRPCError {
  switch (refusal) {
    case 'notFound':
      return new TRPCError({ code: 'NOT_FOUND', message: 'No such message' });
    case 'forbidden':
      return new TRPCError({ code: 'FORBIDDEN', message: 'Only its author can change this message' });
    case 'deleted':
      return new TRPCError({ code: 'CONFLICT', message: 'That message was deleted' });
    case 'tooManyEmoji':
      return new TRPCError({ code: 'CONFLICT', message: `A message can carry at most ${MAX_EMOJI_PER_MESSAGE} different reactions` });
    case 'replyNotFound':
      return new TRPCError({ code: 'NOT_FOUND', message: 'The message to reply to is not in this thread' });
    case 'replyDeleted':
      return new TRPCError({ code: 'CONFLICT', message: 'The message to reply to was deleted' });
    case 'attachmentNotFound':
      // Someone else's upload, one already sent or removed, or none: the same answer, so ids tell a stranger nothing.
      return new TRPCError({ code: 'NOT_FOUND', message: 'No such upload of yours to attach (each upload can be sent once)' });
  }
}
