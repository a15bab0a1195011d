import { createRateLimits, DEFAULT_RATE_LIMITS, type RateLimitConfig } from '@parley/api/limits/rateLimits';
import { createTestPostgresDatabase } from './postgresDatabase.ts';
import { createTestDeps, type TestDeps } from './testDeps.ts';

export type Provider = 'SQLite' | 'PostgreSQL';

/**
 * Test deps on a throwaway database of the provider (a fresh PostgreSQL database, dropped at close), with
 * rate limits generous enough for a test that signs many people up and sends fast, unless `limits` say
 * otherwise (the limits themselves are tested elsewhere).
 */
export async function createProviderDeps(provider: Provider, limits: Partial<RateLimitConfig> = {}): Promise<TestDeps> {
  const database = provider === 'PostgreSQL' ? await createTestPostgresDatabase() : null;
  const deps = await createTestDeps(database ? { databaseUrl: database.url } : {});
  deps.rateLimits = createRateLimits({
    ...DEFAULT_RATE_LIMITS,
    sendPerSecond: 100_000,
    sendBurst: 0,
    signUpsPerAddressPerHour: 1000,
    loginsPerAddressPerMinute: 1000,
    ...limits,
  });
  const close = deps.close;
  deps.close = async () => {
    await close();
    await database?.drop();
  };
  return deps;
}
