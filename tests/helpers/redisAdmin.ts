import { Redis } from 'ioredis';

/**
 * Kills every connection of `redisUrl` named `name` (CLIENT KILL has no name filter, so it goes by the
 * ids CLIENT LIST gives) and returns how many it killed. Parley names its connections
 * `parley-subscriber-<pid>` and `parley-publisher-<pid>`.
 */
export async function killRedisClientsNamed(redisUrl: string, name: string): Promise<number> {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    const list = (await admin.client('LIST')) as string;
    const ids = list
      .split('\n')
      .map((line) =>
        Object.fromEntries(
          line
            .trim()
            .split(' ')
            .map((field) => field.split('=') as [string, string]),
        ),
      )
      .filter((fields) => fields.name === name)
      .map((fields) => fields.id as string);
    let killed = 0;
    for (const id of ids) killed += Number(await admin.client('KILL', 'ID', id));
    return killed;
  } finally {
    admin.disconnect();
  }
}

/** Deletes the keys under `prefix` (a test's own REDIS_PREFIX), so the shared Redis keeps nothing of the test. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await admin.del(...keys);
    } while (cursor !== '0');
  } finally {
    admin.disconnect();
  }
}
