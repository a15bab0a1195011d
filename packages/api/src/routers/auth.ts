import { z } from 'zod';
import { serializeClearedSessionCookie, serializeSessionCookie } from '../auth/cookie.ts';
import { createSession, invalidateSession } from '../auth/session.ts';
import { logIn, signUp } from '../domain/account.ts';
import { passwordSchema, usernameSchema } from '../domain/schemas.ts';
import { isSecureTransport, setResponseCookie, type Context } from '../trpc/context.ts';
import { authedProcedure, publicProcedure, router } from '../trpc/init.ts';

const credentials = z.object({ username: usernameSchema, password: passwordSchema });

async function startSession(ctx: Context, user: { id: string; username: string }) {
  const { token } = await createSession(ctx.deps, user.id);
  setResponseCookie(ctx, serializeSessionCookie(token, isSecureTransport(ctx)));
  return { user, token };
}

export const authRouter = router({
  signUp: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => startSession(ctx, await signUp(ctx.deps, input))),

  logIn: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => startSession(ctx, await logIn(ctx.deps, input, ctx.clientAddress))),

  logOut: authedProcedure.mutation(async ({ ctx }) => {
    await invalidateSession(ctx.deps, ctx.session.id);
    setResponseCookie(ctx, serializeClearedSessionCookie(isSecureTransport(ctx)));
    // A logged-out browser must stop receiving messages on sockets it opened with this session.
    await ctx.deps.sessionSockets.revoke([ctx.session.id], 'logged out');
    return { ok: true as const };
  }),

  me: publicProcedure.query(({ ctx }) => ctx.user),
});
