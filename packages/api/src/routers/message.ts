import { z } from 'zod';
import { assertThreadMember } from '../domain/assertThreadMember.ts';
import { listMessagePage } from '../domain/listMessages.ts';
import { clientIdSchema, idSchema, messageBodySchema } from '../domain/schemas.ts';
import { sendMessage } from '../domain/sendMessage.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const messageRouter = router({
  send: authedProcedure
    .input(z.object({ threadId: idSchema, body: messageBodySchema, clientId: clientIdSchema.optional() }))
    .mutation(({ ctx, input }) => sendMessage(ctx.deps, ctx.user, input)),

  list: authedProcedure
    .input(
      z.object({
        threadId: idSchema,
        beforeSeq: z.number().int().min(1).optional(),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      await assertThreadMember(ctx.deps, input.threadId, ctx.user.id);
      return listMessagePage(ctx.deps, input);
    }),
});
