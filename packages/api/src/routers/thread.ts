import { z } from 'zod';
import { getOrCreateDirectThread } from '../domain/getOrCreateDirectThread.ts';
import { listThreads } from '../domain/listThreads.ts';
import { markThreadRead } from '../domain/markThreadRead.ts';
import { idSchema, usernameSchema } from '../domain/schemas.ts';
import { streamThread } from '../domain/streamThread.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const threadRouter = router({
  getOrCreate: authedProcedure
    .input(z.object({ username: usernameSchema }))
    .mutation(({ ctx, input }) => getOrCreateDirectThread(ctx, ctx.user, input.username)),

  list: authedProcedure.query(({ ctx }) => listThreads(ctx, ctx.user.id)),

  markRead: authedProcedure
    .input(z.object({ threadId: idSchema, seq: z.number().int().min(0) }))
    .mutation(({ ctx, input }) => markThreadRead(ctx, ctx.user.id, input)),

  onMessage: authedProcedure
    .input(z.object({ threadId: idSchema, lastEventId: z.string().regex(/^\d{1,12}$/).nullish() }))
    .subscription(({ ctx, input, signal }) => streamThread(ctx, ctx.user.id, input, signal ?? new AbortController().signal)),
});

