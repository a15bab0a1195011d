import type { Database, EventBus } from '@parley/api';

export interface HealthReport {
  database: boolean;
  /** null when no Redis is configured (the in-process bus needs no check). */
  redis: boolean | null;
}

/** Asks the database and (when configured) Redis whether they answer, without throwing. */
export async function checkHealth(database: Database, bus: EventBus, hasRedis: boolean): Promise<HealthReport> {
  const [db, redis] = await Promise.all([database.ping(), hasRedis ? bus.isHealthy().catch(() => false) : Promise.resolve(null)]);
  return { database: db, redis };
}
