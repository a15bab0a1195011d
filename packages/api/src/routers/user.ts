import { z } from 'zod';
import { lookupPresence, PRESENCE_LOOKUP_MAX_USERS } from '../domain/lookupPresence.ts';
import { idSchema } from '../domain/schemas.ts';
import { authedProcedure, router } from '../trpc/init.ts';

export const userRouter = router({
  /** Online or not, and since when offline, for up to 100 users I share a thread with (others are left out). */
  presence: authedProcedure
    .input(z.object({ userIds: z.array(idSchema).min(1).max(PRESENCE_LOOKUP_MAX_USERS) }))
    .query(({ ctx, input }) => lookupPresence(ctx.deps, ctx.user.id, input.userIds)),
});
