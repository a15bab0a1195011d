import { TRPCError } from '@trpc/server';

/** TOO_MANY_REQUESTS with a retry hint that the error formatter passes on as `data.retryAfterMs`. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAfterMs: number,
    message: string,
  ) {
    super(message);
  }
}

export function tooManyRequests(retryAfterMs: number, message: string): TRPCError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `${message}; retry in ${retryAfterSeconds} s`,
    cause: new RateLimitedError(Math.ceil(retryAfterMs), message),
  });
}
