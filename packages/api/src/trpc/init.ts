import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    // Internal details never leave the server; onError in the adapter logs them once.
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      return { ...shape, message: 'Something went wrong on our side; please retry.', data: { ...shape.data, stack: undefined } };
    }
    const zodIssues = error.cause instanceof ZodError ? error.cause.issues : undefined;
    return { ...shape, data: { ...shape.data, stack: undefined, zodIssues } };
  },
});

export const router = t.router;
export const publicProcedure = t.procedure;
export const createCallerFactory = t.createCallerFactory;

export const authedProcedure = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in to continue' });
  return next({ ctx: { user: ctx.user, session: ctx.session } });
});
