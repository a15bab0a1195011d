import { randomBytes } from 'node:crypto';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** A key/channel prefix no other run shares. */
export function uniqueRedisPrefix(): string {
  return `parley-test-${randomBytes(6).toString('hex')}:`;
}
