import { z } from 'zod';
import { serializeClearedSessionCookie, serializeSessionCookie } from '../auth/cookie.ts';
import { createSession, invalidateSession, invalidateUserSessions, type SessionUser } from '../auth/session.ts';
import { logIn, signUp } from '../domain/account.ts';
import { endSessionsOverCap } from '../domain/endSessionsOverCap.ts';
import { listSessions } from '../domain/listSessions.ts';
import { revokeSession } from '../domain/revokeSession.ts';
import { idSchema, passwordSchema, usernameSchema } from '../domain/schemas.ts';
import { isSecureTransport, setResponseCookie, type Context } from '../trpc/context.ts';
import { authedProcedure, publicProcedure, router } from '../trpc/init.ts';

const credentials = z.object({ username: usernameSchema, password: passwordSchema });
const USER_AGENT_MAX_LENGTH = 200;

/**
 * A browser (an HTTP call with an Origin) gets its session as an HttpOnly cookie only: a token in the
 * answer would be readable by any script on the page. Programs (no Origin, or a WebSocket, which cannot
 * set a cookie) get the token to send as a bearer token or connectionParams.token.
 */
function isBrowserCall(ctx: Context): boolean {
  return ctx.transport.kind === 'http' && ctx.transport.req.headers.origin !== undefined;
}

async function startSession(ctx: Context, user: SessionUser): Promise<{ user: SessionUser; token?: string }> {
  const req = ctx.transport.kind === 'internal' ? null : ctx.transport.req;
  const { token } = await createSession(ctx.deps, user.id, {
    address: req ? ctx.clientAddress : null,
    userAgent: req?.headers['user-agent']?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
  });
  await endSessionsOverCap(ctx.deps, user.id);
  setResponseCookie(ctx, serializeSessionCookie(token, isSecureTransport(ctx)));
  return isBrowserCall(ctx) ? { user } : { user, token };
}

export const authRouter = router({
  signUp: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => startSession(ctx, await signUp(ctx.deps, input, ctx.clientAddress))),

  logIn: publicProcedure.input(credentials).mutation(async ({ ctx, input }) => startSession(ctx, await logIn(ctx.deps, input, ctx.clientAddress))),

  logOut: authedProcedure.mutation(async ({ ctx }) => {
    await invalidateSession(ctx.deps, ctx.session.id);
    setResponseCookie(ctx, serializeClearedSessionCookie(isSecureTransport(ctx)));
    // A logged-out browser must stop receiving messages on sockets it opened with this session.
    await ctx.deps.sessionSockets.revoke([ctx.session.id], 'logged out');
    return { ok: true as const };
  }),

  /** Ends every session of mine, this one included, and closes their sockets in every process. */
  logOutEverywhere: authedProcedure.mutation(async ({ ctx }) => {
    const ended = await invalidateUserSessions(ctx.deps, ctx.user.id);
    setResponseCookie(ctx, serializeClearedSessionCookie(isSecureTransport(ctx)));
    await ctx.deps.sessionSockets.revoke(ended, 'logged out everywhere');
    return { ended: ended.length };
  }),

  /** My sessions ("devices"), with the one making this call marked current. */
  sessions: authedProcedure.query(({ ctx }) => listSessions(ctx.deps, ctx.user.id, ctx.session.id)),

  revokeSession: authedProcedure.input(z.object({ sessionId: idSchema })).mutation(async ({ ctx, input }) => {
    await revokeSession(ctx.deps, ctx.user.id, input.sessionId);
    return { ok: true as const };
  }),

  me: publicProcedure.query(({ ctx }) => ctx.user),
});
