import { RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitConfig } from './rateLimits.ts';
import { tooManyRequests } from './rateLimitedError.ts';

/** The points one log-in attempt holds until its password check says how it went. */
export interface LogInReservation {
  /** Right password: the failure points go back, the attempt itself stays counted. */
  succeeded(): Promise<void>;
  /** Wrong password: the points stay spent, and the username's failure count grows. */
  failed(): Promise<void>;
  /** No password was checked (the hashing queue was full): the failure points go back. */
  cancelled(): Promise<void>;
}

type MakeLimiter = (opts: IRateLimiterOptions & { keyPrefix: string }) => RateLimiterAbstract;

const HOUR = 60 * 60;

/** null when the point was taken, the rejection when the key is spent. */
async function take(limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection;
    throw rejection;
  }
}

/**
 * Log-in limits, each taken with rate-limiter-flexible's atomic consume() BEFORE the password check and
 * given back (reward) when it turns out not to have been a failure. Counting only after the check let
 * every concurrent guess pass the check before any was counted.
 *
 * Hard limits are per (username, address) and per address, which a stranger controls; per username alone
 * there is only a slow-down (one try per interval from each address), so a stranger guessing from
 * anywhere never locks the owner out: the owner's first try from their own address always gets through.
 */
export function createLogInLimits(config: RateLimitConfig, make: MakeLimiter) {
  const attemptsByAddress = make({ keyPrefix: 'login-attempt-a', points: config.loginsPerAddressPerMinute, duration: 60 });
  const failuresByUsernameAndAddress = make({
    keyPrefix: 'login-ua',
    points: config.loginFailuresPerUsernameAndAddress,
    duration: HOUR,
    blockDuration: 15 * 60,
  });
  const failuresByAddress = make({ keyPrefix: 'login-a', points: config.loginFailuresPerAddress, duration: 24 * HOUR, blockDuration: HOUR });
  const failuresByUsername = make({ keyPrefix: 'login-u', points: config.loginFailuresBeforeUsernameSlowdown, duration: HOUR });
  const slowedUsernameAndAddress = make({ keyPrefix: 'login-slow-ua', points: 1, duration: config.loginSlowedIntervalSeconds });

  return async function reserveLogIn(usernameKey: string, address: string): Promise<LogInReservation> {
    const pair = `${usernameKey}|${address}`;
    const busy = await take(attemptsByAddress, address);
    if (busy) throw tooManyRequests(busy.msBeforeNext, 'Too many log-ins from your address');

    const [pairSpent, addressSpent] = await Promise.all([take(failuresByUsernameAndAddress, pair), take(failuresByAddress, address)]);
    const giveBack = async () => {
      await Promise.all([
        pairSpent ? undefined : failuresByUsernameAndAddress.reward(pair),
        addressSpent ? undefined : failuresByAddress.reward(address),
      ]);
    };
    const spent = pairSpent ?? addressSpent;
    if (spent) {
      await giveBack();
      throw tooManyRequests(Math.max(pairSpent?.msBeforeNext ?? 0, addressSpent?.msBeforeNext ?? 0), 'Too many failed log-ins');
    }

    const usernameFailures = await failuresByUsername.get(usernameKey);
    if (usernameFailures && usernameFailures.consumedPoints >= config.loginFailuresBeforeUsernameSlowdown) {
      const slowed = await take(slowedUsernameAndAddress, pair);
      if (slowed) {
        await giveBack();
        throw tooManyRequests(slowed.msBeforeNext, 'Log-ins for this username are slowed down after many failures');
      }
    }

    return {
      async succeeded() {
        await Promise.all([failuresByUsernameAndAddress.delete(pair), failuresByAddress.reward(address)]);
      },
      async failed() {
        // Over the threshold is the point of counting: the rejection just means "slowed already".
        await failuresByUsername.consume(usernameKey).catch(() => undefined);
      },
      cancelled: giveBack,
    };
  };
}
