import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key and channel prefix no other run shares, and a cleanup that deletes whatever keys it left. */
export function createRedisNamespace(): { url: string; prefix: string; clear(): Promise<void> } {
  const prefix = `parley-bench-${randomBytes(6).toString('hex')}:`;
  return {
    url: REDIS_URL,
    prefix,
    async clear() {
      const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}
