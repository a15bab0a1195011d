import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type IRateLimiterOptions,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { createLogInLimits, type LogInReservation } from './logInLimits.ts';
import { tooManyRequests } from './rateLimitedError.ts';

export interface RateLimitConfig {
  /** Sustained message.send rate per user. */
  sendPerSecond: number;
  /** Extra sends a user may burst above the sustained rate (refilled over 10 s). */
  sendBurst: number;
  /** Failed log-ins per username from one address (per hour) before it must wait. */
  loginFailuresPerUsernameAndAddress: number;
  /**
   * Failed log-ins per username from anywhere (per hour) after which that username is slowed down: one
   * try per `loginSlowedIntervalSeconds` from each address. Never a block, so a stranger cannot lock the
   * owner out.
   */
  loginFailuresBeforeUsernameSlowdown: number;
  loginSlowedIntervalSeconds: number;
  /** Failed log-ins from one address (per day), whatever the username. */
  loginFailuresPerAddress: number;
  /** Log-in attempts from one address per minute, successful ones too: each costs a password hash. */
  loginsPerAddressPerMinute: number;
  /** Accounts created from one address per hour: each costs a password hash and a row. */
  signUpsPerAddressPerHour: number;
  /** Usernames one user may look up per minute (thread.getOrCreate, thread.createGroup): bounds enumeration. */
  usernameLookupsPerMinute: number;
  /** message.search calls one user may make per minute: each can read a large part of the index. */
  searchesPerMinute: number;
  /** Files one user may upload per minute: each is spooled to disk, inspected and (an image) re-encoded. */
  uploadsPerMinute: number;
  /** Bytes one user may upload per 24 hours (counted as they are accepted, so deleting files frees none). */
  uploadBytesPerDay: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  sendPerSecond: 20,
  sendBurst: 40,
  loginFailuresPerUsernameAndAddress: 10,
  loginFailuresBeforeUsernameSlowdown: 50,
  loginSlowedIntervalSeconds: 30,
  loginFailuresPerAddress: 100,
  loginsPerAddressPerMinute: 20,
  signUpsPerAddressPerHour: 10,
  usernameLookupsPerMinute: 60,
  searchesPerMinute: 60,
  uploadsPerMinute: 30,
  uploadBytesPerDay: 1024 * 1024 * 1024,
};

/** Rate limits shared by every process through Redis when there is one, else in this process. */
export interface RateLimits {
  /** Takes one send from the user's bucket; throws TOO_MANY_REQUESTS with a retry hint when empty. */
  consumeSend(userId: string): Promise<void>;
  /**
   * Takes a log-in attempt's points before the password is checked, so concurrent guesses cannot all
   * pass a check made before any of them is counted; throws TOO_MANY_REQUESTS when one is spent.
   */
  reserveLogIn(usernameKey: string, address: string): Promise<LogInReservation>;
  /** Takes one sign-up from the address's allowance; throws TOO_MANY_REQUESTS when spent. */
  consumeSignUp(address: string): Promise<void>;
  /** Takes `count` username look-ups from the user's allowance; throws TOO_MANY_REQUESTS when spent. */
  consumeUsernameLookups(userId: string, count: number): Promise<void>;
  /** Takes one search from the user's allowance; throws TOO_MANY_REQUESTS when spent. */
  consumeSearch(userId: string): Promise<void>;
  /** Takes one upload from the user's allowance; throws TOO_MANY_REQUESTS when spent. */
  consumeUpload(userId: string): Promise<void>;
  /** Refuses (TOO_MANY_REQUESTS) an upload of `bytes` the user's daily allowance cannot take, without spending any. */
  assertUploadBytesLeft(userId: string, bytes: number): Promise<void>;
  /** Spends `bytes` of the user's daily upload allowance; throws TOO_MANY_REQUESTS when it is spent. */
  consumeUploadBytes(userId: string, bytes: number): Promise<void>;
  /**
   * Whether a typing notice from this user in this thread may go out now: one per TYPING_INTERVAL_MS
   * while the thread stays at `lastSeq`. A new message starts a new interval, so someone who sends and
   * goes on typing shows as typing again at once (the message cleared the indicator in every client).
   */
  allowTyping(userId: string, threadId: string, lastSeq: number): Promise<boolean>;
}

/** Clients repeat a typing notice while typing and show one for about 5 s, so one per 2 s is plenty. */
const TYPING_INTERVAL_MS = 2000;

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
  const typing = make({ keyPrefix: 'typing', points: 1, duration: TYPING_INTERVAL_MS / 1000 });
  const signUps = make({ keyPrefix: 'signup-a', points: config.signUpsPerAddressPerHour, duration: 60 * 60 });
  const lookups = make({ keyPrefix: 'lookup-u', points: config.usernameLookupsPerMinute, duration: 60 });
  const searches = make({ keyPrefix: 'search-u', points: config.searchesPerMinute, duration: 60 });
  const uploads = make({ keyPrefix: 'upload-u', points: config.uploadsPerMinute, duration: 60 });
  const uploadBytes = make({ keyPrefix: 'upload-bytes-u', points: config.uploadBytesPerDay, duration: 24 * 60 * 60 });
  const QUOTA_MESSAGE = 'Your daily upload allowance is spent';
  const consumeOrRefuse = async (limiter: RateLimiterAbstract, key: string, points: number, message: string) => {
    try {
      await limiter.consume(key, points);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw tooManyRequests(rejection.msBeforeNext, message);
      throw rejection;
    }
  };

  return {
    async consumeSend(userId) {
      try {
        await send.consume(userId);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw tooManyRequests(rejection.msBeforeNext, 'You are sending messages too fast');
        throw rejection;
      }
    },

    reserveLogIn: createLogInLimits(config, make),

    consumeSignUp: (address) => consumeOrRefuse(signUps, address, 1, 'Too many accounts created from your address'),

    consumeUsernameLookups: (userId, count) => consumeOrRefuse(lookups, userId, count, 'Too many username look-ups'),

    consumeSearch: (userId) => consumeOrRefuse(searches, userId, 1, 'You are searching too fast'),

    consumeUpload: (userId) => consumeOrRefuse(uploads, userId, 1, 'You are uploading files too fast'),

    async assertUploadBytesLeft(userId, bytes) {
      const used = await uploadBytes.get(userId);
      if ((used?.consumedPoints ?? 0) + bytes > config.uploadBytesPerDay) throw tooManyRequests(used?.msBeforeNext ?? 60_000, QUOTA_MESSAGE);
    },

    consumeUploadBytes: (userId, bytes) => consumeOrRefuse(uploadBytes, userId, bytes, QUOTA_MESSAGE),

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
