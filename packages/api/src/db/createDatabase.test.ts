import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsDir } from '../../../../tests/helpers/paths.ts';
import { createTestPostgresDatabase } from '../../../../tests/helpers/postgresDatabase.ts';
import { makeTempDir } from '../../../../tests/helpers/tempDir.ts';
import { createDatabase, databaseProvider } from './createDatabase.ts';
import type { Database, Db } from './db.ts';
import { applyMigrations } from './migrate.ts';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function migratedSqlite(): Promise<{ database: Database; file: string }> {
  const dir = makeTempDir();
  cleanups.push(dir.remove);
  const file = join(dir.path, 'nested', 'data', 'parley.db');
  const url = `file:${file}`;
  await applyMigrations(url, migrationsDir, silent);
  const database = await createDatabase(url);
  cleanups.push(() => database.close());
  return { database, file };
}

async function pragma(db: Db, name: string): Promise<unknown> {
  const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`PRAGMA ${name}`);
  return Object.values(rows[0] ?? {})[0];
}

/** One user with a session, a thread membership and a message, for cascade checks. */
async function seedUserWithDependents(db: Db): Promise<void> {
  const now = new Date();
  await db.$transaction([
    db.user.create({ data: { id: 'u1', username: 'Ada', usernameKey: 'ada', passwordHash: 'x' } }),
    db.session.create({
      data: { id: 's1', secretHash: new Uint8Array([1, 2, 3]), userId: 'u1', createdAt: now, lastUsedAt: now },
    }),
    db.thread.create({ data: { id: 't1', kind: 'direct', createdAt: now } }),
    db.threadMember.create({ data: { threadId: 't1', userId: 'u1', joinedAt: now } }),
    db.message.create({ data: { id: 'm1', threadId: 't1', seq: 1, authorId: 'u1', body: 'hi', createdAt: now } }),
  ]);
}

async function expectDeletingUserCascades(db: Db): Promise<void> {
  await seedUserWithDependents(db);
  await db.user.delete({ where: { id: 'u1' } });
  expect(await db.session.count()).toBe(0);
  expect(await db.threadMember.count()).toBe(0);
  expect(await db.message.count()).toBe(0);
  expect(await db.thread.count()).toBe(1);
}

describe('databaseProvider', () => {
  it('picks PostgreSQL for postgres:// and postgresql:// URLs and SQLite for anything else', () => {
    expect(databaseProvider('postgres://u@h/db')).toBe('postgresql');
    expect(databaseProvider('postgresql://u@h/db')).toBe('postgresql');
    expect(databaseProvider('file:./data/parley.db')).toBe('sqlite');
  });
});

describe('createDatabase with SQLite', () => {
  it('creates the missing directory and turns on WAL, foreign keys and a busy timeout', async () => {
    const { database } = await migratedSqlite();
    expect(database.provider).toBe('sqlite');
    expect(await pragma(database.db, 'journal_mode')).toBe('wal');
    expect(await pragma(database.db, 'foreign_keys')).toBe(1);
    expect(await pragma(database.db, 'busy_timeout')).toBe(5000);
  });

  it('keeps the connection settings after Prisma runs transactions', async () => {
    const { database } = await migratedSqlite();
    const { db } = database;
    // upsert runs in a transaction internally; plain libsql would continue on a fresh, unconfigured connection
    await db.user.upsert({
      where: { id: 'u1' },
      create: { id: 'u1', username: 'Ada', usernameKey: 'ada', passwordHash: 'x' },
      update: {},
    });
    await db.$transaction(async (tx) => tx.user.count());
    expect(await pragma(db, 'busy_timeout')).toBe(5000);
    expect(await pragma(db, 'foreign_keys')).toBe(1);
  });

  it('runs transactions on its one connection instead of opening one per transaction', async () => {
    const { database, file } = await migratedSqlite();
    const handlesOnFile = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file;
        } catch {
          return false;
        }
      }).length;
    await database.db.user.count();
    const before = handlesOnFile();
    for (let i = 0; i < 20; i++) await database.db.$transaction([database.db.user.count(), database.db.thread.count()]);
    expect(handlesOnFile()).toBe(before);
  });

  it('rolls back a failed interactive transaction and keeps working on the same connection', async () => {
    const { database } = await migratedSqlite();
    const { db } = database;
    await expect(
      db.$transaction(async (tx) => {
        await tx.user.create({ data: { id: 'u1', username: 'Ada', usernameKey: 'ada', passwordHash: 'x' } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.user.count()).toBe(0);
    await db.user.create({ data: { id: 'u2', username: 'Bob', usernameKey: 'bob', passwordHash: 'x' } });
    expect(await db.user.count()).toBe(1);
  });

  it('deletes sessions, memberships and messages with their user (ON DELETE CASCADE)', async () => {
    const { database } = await migratedSqlite();
    await expectDeletingUserCascades(database.db);
  });

  it('answers ping with true', async () => {
    const { database } = await migratedSqlite();
    expect(await database.ping()).toBe(true);
  });

  it('refuses a URL that is neither PostgreSQL nor a file: URL', async () => {
    await expect(createDatabase('mysql://localhost/parley')).rejects.toThrow(/Not a SQLite database URL/);
  });
});

describe('createDatabase with PostgreSQL', () => {
  it('connects through a pool of the requested size, pings, and cascades deletes', async () => {
    const pgDb = await createTestPostgresDatabase();
    cleanups.push(pgDb.drop);
    await applyMigrations(pgDb.url, migrationsDir, silent);
    const database = await createDatabase(pgDb.url, { poolSize: 3 });
    cleanups.push(() => database.close());

    expect(database.provider).toBe('postgresql');
    expect(await database.ping()).toBe(true);
    await expectDeletingUserCascades(database.db);
  });

  it('answers ping with false instead of throwing when the server is unreachable', async () => {
    const database = await createDatabase('postgresql://postgres@127.0.0.1:1/nothing');
    cleanups.push(() => database.close());
    expect(await database.ping()).toBe(false);
  });
});
