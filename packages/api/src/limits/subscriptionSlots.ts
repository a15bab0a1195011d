import { TRPCError } from '@trpc/server';
import type { Context } from '../trpc/context.ts';

/**
 * Counts a live subscription against its socket's limit (and the process gauge); returns its release,
 * which also runs when `signal` aborts (a stream stopped before it started never reaches its finally).
 * TOO_MANY_REQUESTS past the limit, so one socket cannot hold unbounded bus listeners.
 */
export function holdSubscriptionSlot(ctx: Pick<Context, 'deps' | 'transport'>, signal: AbortSignal | undefined): () => void {
  const connection = ctx.transport.kind === 'ws' ? ctx.transport.connection : null;
  if (connection && connection.subscriptions >= ctx.deps.config.maxSubscriptionsPerSocket) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `At most ${ctx.deps.config.maxSubscriptionsPerSocket} subscriptions per connection`,
    });
  }
  if (connection) connection.subscriptions++;
  ctx.deps.metrics.liveSubscriptions.inc();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    signal?.removeEventListener('abort', release);
    if (connection) connection.subscriptions--;
    ctx.deps.metrics.liveSubscriptions.dec();
  };
  signal?.addEventListener('abort', release, { once: true });
  return release;
}

/** Runs `release` when the stream ends, however it ends. */
export async function* releasingWhenDone<T>(stream: AsyncGenerator<T>, release: () => void): AsyncGenerator<T> {
  try {
    yield* stream;
  } finally {
    release();
  }
}
