import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { subscribePush, unsubscribePush } from '../domain/pushSubscriptions.ts';
import { authedProcedure, router } from '../trpc/init.ts';

// base64url of a P-256 public key (65 bytes) and of a 16-byte auth secret, as PushSubscription.toJSON() gives them.
const base64url = (bytes: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}=*$`), `Not a ${bytes}-byte base64url key`);
const endpointSchema = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'Not an http(s) URL');

/** A key per socket, unique in the cluster, for focus reports; dropped (and the focus with it) when the socket closes. */
const socketKeys = new WeakMap<WebSocket, string>();

export const pushRouter = router({
  /** The server's VAPID public key, for PushManager.subscribe({ applicationServerKey }). */
  vapidPublicKey: authedProcedure.query(async ({ ctx }) => ({ publicKey: await ctx.deps.push.vapidPublicKey() })),

  subscribe: authedProcedure
    .input(z.object({ endpoint: endpointSchema, keys: z.object({ p256dh: base64url(65), auth: base64url(16) }) }))
    .mutation(({ ctx, input }) => subscribePush(ctx.deps, ctx.user, input, ctx.deps.config.allowAnyPushEndpoint)),

  unsubscribe: authedProcedure
    .input(z.object({ endpoint: endpointSchema }))
    .mutation(({ ctx, input }) => unsubscribePush(ctx.deps, ctx.user, input.endpoint)),

  /** Whether pushed notifications show message text, or only who wrote in which thread. */
  settings: authedProcedure.query(async ({ ctx }) => {
    const user = await ctx.deps.db.user.findUniqueOrThrow({ where: { id: ctx.user.id }, select: { notificationText: true } });
    return { showText: user.notificationText };
  }),

  setShowText: authedProcedure.input(z.object({ showText: z.boolean() })).mutation(async ({ ctx, input }) => {
    await ctx.deps.db.user.update({ where: { id: ctx.user.id }, data: { notificationText: input.showText } });
    return { showText: input.showText };
  }),

  /**
   * This socket's tab is (or is no longer) focused: while any of my sockets is, nothing is pushed to me.
   * The web app repeats it while focused (a report counts for a minute). Over a WebSocket only.
   */
  reportFocus: authedProcedure.input(z.object({ focused: z.boolean() })).mutation(async ({ ctx, input }) => {
    if (ctx.transport.kind !== 'ws') throw new TRPCError({ code: 'BAD_REQUEST', message: 'Report focus over the WebSocket' });
    const socket = ctx.transport.socket;
    let key = socketKeys.get(socket);
    if (!key) {
      const made = randomUUID();
      key = made;
      socketKeys.set(socket, made);
      const userId = ctx.user.id;
      socket.once('close', () => void ctx.deps.focus.report(userId, made, false).catch(() => {}));
    }
    await ctx.deps.focus.report(ctx.user.id, key, input.focused);
    return { focused: input.focused };
  }),
});
