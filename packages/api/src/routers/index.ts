import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { router } from '../trpc/init.ts';
import { authRouter } from './auth.ts';
import { messageRouter } from './message.ts';
import { pushRouter } from './push.ts';
import { threadRouter } from './thread.ts';
import { userRouter } from './user.ts';

export const appRouter = router({ auth: authRouter, thread: threadRouter, message: messageRouter, user: userRouter, push: pushRouter });

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
