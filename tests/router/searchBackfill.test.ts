import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { appRouter, createCallerFactory, createContext, type SessionUser } from '@parley/api';
import { createSession } from '@parley/api/auth/session';
import { applyMigrations } from '@parley/api/db/migrate';
import { createRateLimits, DEFAULT_RATE_LIMITS } from '@parley/api/limits/rateLimits';
import { migrationsDir } from '../helpers/paths.ts';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import type { Provider } from '../helpers/providerDeps.ts';
import { makeTempDir } from '../helpers/tempDir.ts';
import { createTestDeps, type TestDeps } from '../helpers/testDeps.ts';

const SEARCH_MIGRATION = '20261204210000_message_search';
const AT = { SQLite: "'2026-11-01T09:00:00.000+00:00'", PostgreSQL: "TIMESTAMP '2026-11-01 09:00:00'" } as const;

/**
 * A database as an older Parley left it: the migrations before search, and (as one more "migration" of the
 * test's own, which the real list does not know and the migrator leaves alone) people, a thread and messages.
 */
function olderParley(provider: Provider, root: string): void {
  const dir = provider === 'SQLite' ? 'sqlite' : 'postgresql';
  for (const name of readdirSync(join(migrationsDir, dir))) {
    if (name < SEARCH_MIGRATION) cpSync(join(migrationsDir, dir, name), join(root, dir, name), { recursive: true });
  }
  const at = AT[provider];
  const seed = join(root, dir, '20261204200000_test_old_messages');
  mkdirSync(seed, { recursive: true });
  writeFileSync(
    join(seed, 'migration.sql'),
    `
    INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash", "createdAt") VALUES
      ('u-ada', 'ada', 'ada', '-', ${at}), ('u-bob', 'bob', 'bob', '-', ${at});
    INSERT INTO "Thread" ("id", "kind", "directKey", "lastSeq", "createdAt") VALUES ('t-1', 'direct', 'u-ada:u-bob', 3, ${at});
    INSERT INTO "ThreadMember" ("threadId", "userId", "joinedAt") VALUES ('t-1', 'u-ada', ${at}), ('t-1', 'u-bob', ${at});
    INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "createdAt", "deletedAt") VALUES
      ('m-1', 't-1', 1, 'u-ada', '지난주 회의록 old minutes', ${at}, NULL),
      ('m-2', 't-1', 2, 'u-bob', '', ${at}, ${at}),
      ('m-3', 't-1', 3, 'u-bob', '다음 회의는 10시', ${at}, NULL);
    `,
  );
}

describe.each<[Provider]>([['SQLite'], ['PostgreSQL']])('messages stored before search existed, on %s', (provider) => {
  let deps: TestDeps | undefined;
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    await deps?.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('are listed by the migration and indexed by the server after it starts', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    let url = `file:${dir.path}/parley.db`;
    if (provider === 'PostgreSQL') {
      const database = await createTestPostgresDatabase();
      cleanups.push(() => database.drop());
      url = database.url;
    }
    olderParley(provider, join(dir.path, 'migrations'));
    await applyMigrations(url, join(dir.path, 'migrations'), pino({ level: 'silent' }));

    deps = await createTestDeps({ databaseUrl: url }); // applies the search migration, then starts the backfill
    deps.rateLimits = createRateLimits({ ...DEFAULT_RATE_LIMITS, searchesPerMinute: 1_000_000 });
    const bob: SessionUser = { id: 'u-bob', username: 'bob' };
    const { session } = await createSession(deps, bob.id);
    const caller = createCallerFactory(appRouter)(createContext(deps, { user: bob, session }, { kind: 'internal' }));

    const deadline = Date.now() + 10_000;
    let hits = (await caller.message.search({ query: '회의' })).hits;
    while (hits.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      hits = (await caller.message.search({ query: '회의' })).hits;
    }
    expect(hits.map((h) => h.messageId).sort()).toEqual(['m-1', 'm-3']);
    expect(hits.find((h) => h.messageId === 'm-1')).toMatchObject({ threadId: 't-1', seq: 1, author: { id: 'u-ada', username: 'ada' } });
    expect((await caller.message.search({ query: 'minutes' })).hits.map((h) => h.messageId)).toEqual(['m-1']);
    expect(await deps.db.messageSearchBacklog.count()).toBe(0);
    const [indexed] = await deps.db.$queryRawUnsafe<Array<{ n: number | bigint }>>(
      provider === 'SQLite' ? 'SELECT count(*) AS "n" FROM "MessageSearchDoc"' : 'SELECT count(*)::int AS "n" FROM "MessageSearch"',
    );
    expect(Number(indexed!.n)).toBe(2); // not the deleted one
  });
});
