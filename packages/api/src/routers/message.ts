import { z } from 'zod';
import { assertThreadMember } from '../domain/assertThreadMember.ts';
import { listMessagePage } from '../domain/listMessages.ts';
import { deleteMessage } from '../domain/deleteMessage.ts';
import { editMessage } from '../domain/editMessage.ts';
import { reactToMessage } from '../domain/reactToMessage.ts';
import { emojiSchema, idSchema, messageBodySchema, searchQuerySchema, sendMessageInputSchema } from '../domain/schemas.ts';
import { searchMessages } from '../domain/searchMessages.ts';
import { sendMessage } from '../domain/sendMessage.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const messageRouter = router({
  send: authedProcedure.input(sendMessageInputSchema).mutation(({ ctx, input }) => sendMessage(ctx.deps, ctx.user, input)),

  /** My message's new text; null when it is the same (nothing stored). */
  edit: authedProcedure
    .input(z.object({ messageId: idSchema, body: messageBodySchema }))
    .mutation(({ ctx, input }) => editMessage(ctx.deps, ctx.user, input)),

  /** Deletes my message (text gone from storage; a tombstone stays); null when it was already deleted. */
  delete: authedProcedure.input(z.object({ messageId: idSchema })).mutation(({ ctx, input }) => deleteMessage(ctx.deps, ctx.user, input)),

  /** Puts my `emoji` on a message (`on: true`) or takes it off; null when it already was so. */
  react: authedProcedure
    .input(z.object({ messageId: idSchema, emoji: emojiSchema, on: z.boolean() }))
    .mutation(({ ctx, input }) => reactToMessage(ctx.deps, ctx.user, input)),

  list: authedProcedure
    .input(
      z
        .object({
          threadId: idSchema,
          beforeSeq: z.number().int().min(1).optional(),
          afterSeq: z.number().int().min(0).optional(),
          aroundSeq: z.number().int().min(1).optional(),
          limit: z.number().int().min(1).max(100).default(50),
        })
        .refine(
          (input) => [input.beforeSeq, input.afterSeq, input.aroundSeq].filter((seq) => seq !== undefined).length <= 1,
          'Give at most one of beforeSeq, afterSeq and aroundSeq',
        ),
    )
    .query(async ({ ctx, input }) => {
      await assertThreadMember(ctx.deps, input.threadId, ctx.user.id);
      return listMessagePage(ctx.deps, ctx.user.id, input);
    }),

  /** Messages of my threads (or of `threadId`) with every word of `query`, best first, a page at a time. */
  search: authedProcedure
    .input(z.object({ query: searchQuerySchema, threadId: idSchema.optional(), cursor: z.string().max(512).optional() }))
    .query(({ ctx, input }) => searchMessages(ctx.deps, ctx.user, input)),
});
