import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../domain/prismaErrors.ts';
import { RateLimitedError } from '../limits/rateLimitedError.ts';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    // Internal details never leave the server; onError in the adapter logs them once.
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      return { ...shape, message: 'Something went wrong on our side; please retry.', data: { ...shape.data, stack: undefined } };
    }
    const zodIssues = error.cause instanceof ZodError ? error.cause.issues : undefined;
    const retryAfterMs = error.cause instanceof RateLimitedError ? error.cause.retryAfterMs : undefined;
    return { ...shape, data: { ...shape.data, stack: undefined, zodIssues, retryAfterMs } };
  },
});

export const router = t.router;

// Mutations are counted so that a draining server finishes them before it closes the database.
const trackMutations = t.middleware(({ ctx, type, next }) => (type === 'mutation' ? ctx.deps.inFlight.run(() => next()) : next()));

// A database that does not answer is the client's cue to retry, not an unexplained internal error.
const explainDatabaseOutages = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === 'INTERNAL_SERVER_ERROR' && isDatabaseUnavailable(result.error.cause)) {
    throw new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is not answering right now; retry shortly (a message is safe to resend with the same clientId)',
      cause: result.error.cause,
    });
  }
  return result;
});

export const publicProcedure = t.procedure.use(trackMutations).use(explainDatabaseOutages);
export const createCallerFactory = t.createCallerFactory;

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in to continue' });
  return next({ ctx: { user: ctx.user, session: ctx.session } });
});
