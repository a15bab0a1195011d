import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'publisher' | 'subscriber';

export interface RedisConnections {
  /** Commands: PUBLISH, rate-limit counters. */
  publisher: Redis;
  /** Dedicated to SUBSCRIBE, as Redis requires. */
  subscriber: Redis;
}

/** The two connections a process keeps to Redis. */
export function connectRedis(url: string, create?: (role: RedisRole) => Redis): RedisConnections {
  const connect =
    create ??
    ((role: RedisRole) => {
      const options: RedisOptions = {
        connectionName: `parley-${role}-${process.pid}`,
        // A publish while Redis is down fails at once instead of stalling message.send in the offline
        // queue: the message is stored, and subscribers re-read the database when the bus comes back.
        // Auto-pipelining: commands issued in one event-loop turn go out in one write (each send's
        // rate-limit scripts and publish were a syscall apiece, about a tenth of a busy process's time).
        ...(role === 'publisher' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true } : {}),
      };
      return new Redis(url, options); // the bus listens for (and logs) its errors
    });
  return { publisher: connect('publisher'), subscriber: connect('subscriber') };
}
