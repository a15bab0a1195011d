import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { tooManyRequests } from './rateLimitedError.ts';

export interface RateLimitConfig {
  /** Sustained message.send rate per user. */
  sendPerSecond: number;
  /** Extra sends a user may burst above the sustained rate (refilled over 10 s). */
  sendBurst: number;
  /** Failed log-ins per username from one address before it must wait. */
  loginFailuresPerUsernameAndAddress: number;
  /** Failed log-ins per username from anywhere (slows a distributed guess) before it must wait. */
  loginFailuresPerUsername: number;
  /** Failed log-ins from one address, whatever the username. */
  loginFailuresPerAddress: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  sendPerSecond: 20,
  sendBurst: 40,
  loginFailuresPerUsernameAndAddress: 10,
  loginFailuresPerUsername: 50,
  loginFailuresPerAddress: 100,
};

/** Rate limits shared by every process through Redis when there is one, else in this process. */
export interface RateLimits {
  /** Takes one send from the user's bucket; throws TOO_MANY_REQUESTS with a retry hint when empty. */
  consumeSend(userId: string): Promise<void>;
  /** Throws TOO_MANY_REQUESTS while log-ins for this username or address are slowed down. */
  assertLoginAllowed(usernameKey: string, address: string): Promise<void>;
  recordLoginFailure(usernameKey: string, address: string): Promise<void>;
  recordLoginSuccess(usernameKey: string, address: string): Promise<void>;
  /**
   * Whether a typing notice from this user in this thread may go out now: one per TYPING_INTERVAL_MS
   * while the thread stays at `lastSeq`. A new message starts a new interval, so someone who sends and
   * goes on typing shows as typing again at once (the message cleared the indicator in every client).
   */
  allowTyping(userId: string, threadId: string, lastSeq: number): Promise<boolean>;
}

/** Clients repeat a typing notice while typing and show one for about 5 s, so one per 2 s is plenty. */
export const TYPING_INTERVAL_MS = 2000;

/**
 * Built on rate-limiter-flexible. With Redis, each limiter falls back to an in-process one while Redis
 * does not answer (insuranceLimiter), so an outage degrades limits to per-process instead of failing sends.
 */
export function createRateLimits(config: RateLimitConfig, redis?: { client: Redis; prefix: string }): RateLimits {
  const make = (opts: IRateLimiterOptions & { keyPrefix: string }): RateLimiterAbstract => {
    if (!redis) return new RateLimiterMemory(opts);
    return new RateLimiterRedis({
      ...opts,
      keyPrefix: `${redis.prefix}rl:${opts.keyPrefix}`,
      storeClient: redis.client,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(opts),
    });
  };
  // Token-bucket-like: a steady per-second budget plus a burst budget refilled over 10 s.
  const send = new BurstyRateLimiter(
    make({ keyPrefix: 'send', points: config.sendPerSecond, duration: 1 }),
    make({ keyPrefix: 'send-burst', points: config.sendBurst, duration: 10 }),
  );
  const hour = 60 * 60;
  const byUsernameAndAddress = make({ keyPrefix: 'login-ua', points: config.loginFailuresPerUsernameAndAddress, duration: hour, blockDuration: 15 * 60 });
  const byUsername = make({ keyPrefix: 'login-u', points: config.loginFailuresPerUsername, duration: hour, blockDuration: 15 * 60 });
  const byAddress = make({ keyPrefix: 'login-a', points: config.loginFailuresPerAddress, duration: 24 * hour, blockDuration: hour });
  const typing = make({ keyPrefix: 'typing', points: 1, duration: TYPING_INTERVAL_MS / 1000 });
  const loginLimiters = (usernameKey: string, address: string) =>
    [
      [byUsernameAndAddress, `${usernameKey}|${address}`],
      [byUsername, usernameKey],
      [byAddress, address],
    ] as const;

  return {
    async consumeSend(userId) {
      try {
        await send.consume(userId);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw tooManyRequests(rejection.msBeforeNext, 'You are sending messages too fast');
        throw rejection;
      }
    },

    async assertLoginAllowed(usernameKey, address) {
      const states = await Promise.all(loginLimiters(usernameKey, address).map(([limiter, key]) => limiter.get(key)));
      let waitMs = 0;
      loginLimiters(usernameKey, address).forEach(([limiter], i) => {
        const state = states[i];
        if (state && state.consumedPoints >= limiter.points) waitMs = Math.max(waitMs, state.msBeforeNext);
      });
      if (waitMs > 0) throw tooManyRequests(waitMs, 'Too many failed log-ins');
    },

    async recordLoginFailure(usernameKey, address) {
      // Rejections just mean "already over": the next assertLoginAllowed reports it.
      await Promise.all(loginLimiters(usernameKey, address).map(([limiter, key]) => limiter.consume(key).catch(() => undefined)));
    },

    async recordLoginSuccess(usernameKey, address) {
      await byUsernameAndAddress.delete(`${usernameKey}|${address}`);
    },

    async allowTyping(userId, threadId, lastSeq) {
      try {
        await typing.consume(`${userId}|${threadId}|${lastSeq}`);
        return true;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return false;
        throw rejection;
      }
    },
  };
}
