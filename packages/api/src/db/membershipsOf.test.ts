import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../../../../tests/helpers/paths.ts';
import { createTestPostgresDatabase } from '../../../../tests/helpers/postgresDatabase.ts';
import { makeTempDir } from '../../../../tests/helpers/tempDir.ts';
import { createDatabase } from './createDatabase.ts';
import type { Database } from './db.ts';
import { applyMigrations } from './migrate.ts';

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqlite(): Promise<Database> {
  const dir = makeTempDir();
  cleanups.push(dir.remove);
  return migrated(`file:${join(dir.path, 'parley.db')}`);
}

async function postgres(): Promise<Database> {
  const pgDb = await createTestPostgresDatabase();
  cleanups.push(pgDb.drop);
  return migrated(pgDb.url);
}

async function migrated(url: string): Promise<Database> {
  await applyMigrations(url, migrationsDir, pino({ level: 'silent' }));
  const database = await createDatabase(url);
  cleanups.push(() => database.close());
  return database;
}

describe.each([
  ['SQLite', sqlite],
  ['PostgreSQL', postgres],
])('hotPath.membershipsOf on %s', (_provider, open) => {
  it('lists the threads of just the users asked about, most recently active first and never-used threads last', async () => {
    const { db, hotPath } = await open();
    const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
    await db.user.createMany({
      data: ['ada', 'bob', 'eve'].map((id) => ({ id, username: id, usernameKey: id, passwordHash: 'x' })),
    });
    await db.thread.createMany({
      data: [
        { id: 'quiet', kind: 'group', createdAt: at(0), lastMessageAt: null },
        { id: 'older', kind: 'group', createdAt: at(0), lastMessageAt: at(5) },
        { id: 'newest', kind: 'group', createdAt: at(0), lastMessageAt: at(30) },
        { id: 'eves', kind: 'direct', createdAt: at(0), lastMessageAt: at(40) },
      ],
    });
    const member = (threadId: string, userId: string) => ({ threadId, userId, joinedAt: at(0) });
    await db.threadMember.createMany({
      data: [member('quiet', 'ada'), member('older', 'ada'), member('newest', 'ada'), member('newest', 'bob'), member('eves', 'eve')],
    });

    const rows = await hotPath.membershipsOf(['ada', 'bob', 'nobody']);
    expect(rows.filter((r) => r.userId === 'ada').map((r) => r.threadId)).toEqual(['newest', 'older', 'quiet']);
    expect(rows.filter((r) => r.userId === 'bob').map((r) => r.threadId)).toEqual(['newest']);
    expect(rows).toHaveLength(4);
    expect(await hotPath.membershipsOf([])).toEqual([]);
  });
});
