import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../../../../tests/helpers/paths.ts';
import { makeTempDir } from '../../../../tests/helpers/tempDir.ts';
import { newTimeOrderedId } from '../ids.ts';
import { createDatabase } from './createDatabase.ts';
import { applyMigrations } from './migrate.ts';
import { startSqliteCheckpointer } from './sqliteCheckpointer.ts';

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempFile(name: string): string {
  const dir = makeTempDir();
  cleanups.push(dir.remove);
  return join(dir.path, name);
}

/** Messages in the database file alone, without its WAL: a copy of the file (next to it) opened on its own. */
function messagesInFile(path: string): number {
  const copy = `${path}.copy`;
  copyFileSync(path, copy);
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM "Message"').get() as { n: number }).n;
  } catch {
    return -1; // copied in the middle of a checkpoint
  } finally {
    db.close();
  }
}

async function embeddedParley(path: string) {
  const url = `file:${path}`;
  await applyMigrations(url, migrationsDir, pino({ level: 'silent' }));
  const database = await createDatabase(url);
  const { db, hotPath } = database;
  await db.user.create({ data: { id: 'ada', username: 'ada', usernameKey: 'ada', passwordHash: 'x' } });
  await db.thread.create({ data: { id: 't', kind: 'group', createdAt: new Date(), members: { create: { userId: 'ada', joinedAt: new Date() } } } });
  const send = (body: string) =>
    hotPath.appendChanges([
      {
        kind: 'message',
        id: newTimeOrderedId(),
        threadId: 't',
        authorId: 'ada',
        body,
        clientId: null,
        createdAt: new Date(),
        replyToId: null,
        mentionCandidates: [],
        attachmentIds: [],
      },
    ]);
  return { database, send };
}

describe('the embedded database', () => {
  it('has what was sent copied from the WAL into the database file while it runs, not by the sends themselves', async () => {
    const path = tempFile('parley.db');
    const { database, send } = await embeddedParley(path);
    cleanups.push(() => database.close());
    // Far below the 1,000 WAL pages at which SQLite's commits would checkpoint by themselves.
    for (let i = 0; i < 50; i++) expect((await send(`message ${i}`)).map((r) => r.stored && r.seq)).toEqual([i + 1]);
    await expect.poll(() => messagesInFile(path), { timeout: 5000, interval: 50 }).toBe(50);
  });

  it('leaves one self-contained file with an empty WAL after a clean stop', async () => {
    const path = tempFile('parley.db');
    const { database, send } = await embeddedParley(path);
    for (let i = 0; i < 20; i++) await send(`message ${i}`);
    await database.close();
    expect(statSync(`${path}-wal`).size).toBe(0);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM "Message"').get()).toEqual({ n: 20 });
    } finally {
      db.close();
    }
  });
});

describe('the SQLite checkpoint worker', () => {
  it('says so, once, when it cannot work, so that commits can take checkpointing back', async () => {
    const failures: unknown[] = [];
    const checkpointer = startSqliteCheckpointer(join(tempFile('absent'), 'no', 'such', 'dir.db'), {
      intervalMs: 10,
      onFailure: (error) => failures.push(error),
    });
    cleanups.push(() => checkpointer.close());
    await expect.poll(() => failures.length, { timeout: 5000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // its exit follows the error
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toMatch(/.+/);
  });
});
