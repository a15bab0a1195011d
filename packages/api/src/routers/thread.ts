import { z } from 'zod';
import { createGroupThread } from '../domain/createGroupThread.ts';
import { assertThreadMember } from '../domain/assertThreadMember.ts';
import { getOrCreateDirectThread } from '../domain/getOrCreateDirectThread.ts';
import { listThreads } from '../domain/listThreads.ts';
import { markThreadRead } from '../domain/markThreadRead.ts';
import { sendTypingNotice } from '../domain/sendTypingNotice.ts';
import { GROUP_MAX_OTHER_MEMBERS, idSchema, usernameSchema } from '../domain/schemas.ts';
import { streamActivity } from '../domain/streamActivity.ts';
import { streamThread } from '../domain/streamThread.ts';
import { holdSubscriptionSlot, releasingWhenDone } from '../limits/subscriptionSlots.ts';
import { NOTIFICATION_LEVELS } from '../push/notificationLevel.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const threadRouter = router({
  getOrCreate: authedProcedure
    .input(z.object({ username: usernameSchema }))
    .mutation(({ ctx, input }) => getOrCreateDirectThread(ctx.deps, ctx.user, input.username)),

  createGroup: authedProcedure
    .input(
      z.object({
        usernames: z.array(usernameSchema).min(1).max(GROUP_MAX_OTHER_MEMBERS),
        title: z.string().trim().min(1).max(100).optional(),
      }),
    )
    .mutation(({ ctx, input }) => createGroupThread(ctx.deps, ctx.user, input)),

  /** A page of my threads, most recent first; pass the page's last thread id as `cursor` for the next. */
  list: authedProcedure
    .input(z.object({ cursor: idSchema.optional(), limit: z.number().int().min(1).max(100).optional() }).optional())
    .query(({ ctx, input }) => listThreads(ctx.deps, ctx.user.id, undefined, input)),

  markRead: authedProcedure
    .input(z.object({ threadId: idSchema, seq: z.number().int().min(0) }))
    .mutation(({ ctx, input }) => markThreadRead(ctx.deps, ctx.user.id, input)),

  /** What notifies me in this thread: every message, mentions of me, or nothing. */
  setNotifications: authedProcedure.input(z.object({ threadId: idSchema, level: z.enum(NOTIFICATION_LEVELS) })).mutation(async ({ ctx, input }) => {
    await assertThreadMember(ctx.deps, input.threadId, ctx.user.id);
    await ctx.deps.db.threadMember.update({
      where: { threadId_userId: { threadId: input.threadId, userId: ctx.user.id } },
      data: { notifications: input.level },
    });
    ctx.deps.push.forgetThread(input.threadId);
    return { threadId: input.threadId, notifications: input.level };
  }),

  /** "I am typing": goes to the thread's other members through thread.onActivity; at most one per 2 s counts. */
  typing: authedProcedure.input(z.object({ threadId: idSchema })).mutation(({ ctx, input }) => sendTypingNotice(ctx.deps, ctx.user, input.threadId)),

  onMessage: authedProcedure
    .input(
      z.object({
        threadId: idSchema,
        lastEventId: z
          .string()
          .regex(/^\d{1,12}$/)
          .nullish(),
      }),
    )
    // Checks run before the stream is returned, so a refusal reaches the client as the subscription's
    // error instead of after its 'started'.
    .subscription(async ({ ctx, input, signal }) => {
      const seqAtCheck = await assertThreadMember(ctx.deps, input.threadId, ctx.user.id);
      const release = holdSubscriptionSlot(ctx, signal);
      return releasingWhenDone(streamThread(ctx.deps, input, seqAtCheck, signal ?? new AbortController().signal), release);
    }),

  /** Live activity across my threads (new messages, threads I am added to), for a thread list. */
  onActivity: authedProcedure.subscription(({ ctx, signal }) => {
    const release = holdSubscriptionSlot(ctx, signal);
    return releasingWhenDone(streamActivity(ctx.deps, ctx.user.id, signal ?? new AbortController().signal), release);
  }),
});
