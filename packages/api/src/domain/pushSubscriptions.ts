import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';

/** Browsers (devices) one person may have subscribed at once; a new one past it replaces the oldest. */
const MAX_SUBSCRIPTIONS_PER_USER = 10;

export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * Keeps a browser's push subscription for me. The server will POST to the endpoint, so it must look
 * like a push service's: https, a host name (not an IP address or localhost), unless the operator allows
 * any (tests, or a push service on a private network).
 */
export async function subscribePush(
  deps: Pick<Deps, 'db' | 'clock' | 'push'>,
  user: SessionUser,
  input: PushSubscriptionInput,
  allowAnyEndpoint: boolean,
) {
  if (!allowAnyEndpoint && !isPushServiceUrl(input.endpoint)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'A push endpoint is an https:// URL of a push service' });
  }
  await deps.db.pushSubscription.upsert({
    where: { endpoint: input.endpoint },
    // The same browser re-subscribing under another account belongs to that account now.
    update: { userId: user.id, p256dh: input.keys.p256dh, auth: input.keys.auth },
    create: { endpoint: input.endpoint, userId: user.id, p256dh: input.keys.p256dh, auth: input.keys.auth, createdAt: deps.clock.now() },
  });
  const extra = await deps.db.pushSubscription.findMany({
    where: { userId: user.id },
    orderBy: { createdAt: 'desc' },
    skip: MAX_SUBSCRIPTIONS_PER_USER,
    select: { endpoint: true },
  });
  if (extra.length > 0) await deps.db.pushSubscription.deleteMany({ where: { endpoint: { in: extra.map((e) => e.endpoint) } } });
  deps.push.forgetUser(user.id);
  return { isSubscribed: true };
}

export async function unsubscribePush(deps: Pick<Deps, 'db' | 'push'>, user: SessionUser, endpoint: string) {
  await deps.db.pushSubscription.deleteMany({ where: { endpoint, userId: user.id } });
  deps.push.forgetUser(user.id);
  return { isSubscribed: false };
}

function isPushServiceUrl(endpoint: string): boolean {
  const url = new URL(endpoint);
  const host = url.hostname;
  const isAddress = /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
  return url.protocol === 'https:' && !isAddress && host !== 'localhost' && !host.endsWith('.localhost') && host.includes('.');
}
