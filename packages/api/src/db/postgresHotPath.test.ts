import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../../../../tests/helpers/paths.ts';
import { createTestPostgresDatabase } from '../../../../tests/helpers/postgresDatabase.ts';
import { newTimeOrderedId } from '../ids.ts';
import { createDatabase } from './createDatabase.ts';
import type { Database } from './db.ts';
import type { MessageRequest } from './changeRequests.ts';
import type { HotPath } from './hotPath.ts';
import { applyMigrations } from './migrate.ts';
import { createPostgresHotPath } from './postgresHotPath.ts';

// The batch statement on a real PostgreSQL: two hot paths stand in for two server processes.
let drop: () => Promise<void>;
let database: Database;
let processA: HotPath;
let processB: HotPath;

beforeAll(async () => {
  const pgDb = await createTestPostgresDatabase();
  drop = pgDb.drop;
  await applyMigrations(pgDb.url, migrationsDir, pino({ level: 'silent' }));
  database = await createDatabase(pgDb.url, { poolSize: 2 });
  processA = createPostgresHotPath(pgDb.url, 2);
  processB = createPostgresHotPath(pgDb.url, 2);
  const now = new Date();
  const { db } = database;
  await db.user.createMany({
    data: ['ada', 'bob', 'eve'].map((name) => ({ id: name, username: name, usernameKey: name, passwordHash: 'x' })),
  });
  await db.thread.createMany({ data: ['t1', 't2', 't3', 't4'].map((id) => ({ id, kind: 'group', createdAt: now })) });
  await db.threadMember.createMany({
    data: ['t1', 't2', 't3', 't4'].flatMap((threadId) => ['ada', 'bob'].map((userId) => ({ threadId, userId, joinedAt: now }))),
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([processA?.close(), processB?.close(), database?.close()]);
  await drop?.();
});

function message(threadId: string, authorId: string, body: string, clientId: string | null = null): MessageRequest {
  return {
    kind: 'message',
    id: newTimeOrderedId(),
    threadId,
    authorId,
    body,
    clientId,
    createdAt: new Date(),
    replyToId: null,
    mentionCandidates: [],
    attachmentIds: [],
  };
}

/** Each message's seq, or null where it was refused. */
async function appendMessages(hot: HotPath, batch: MessageRequest[]): Promise<Array<number | null>> {
  return (await hot.appendChanges(batch)).map((result) => (result.stored ? result.seq : null));
}

async function stored(threadId: string): Promise<Array<{ seq: number; body: string }>> {
  return database.db.message.findMany({ where: { threadId }, orderBy: { seq: 'asc' }, select: { seq: true, body: true } });
}

describe('the PostgreSQL hot path', () => {
  it("gives one thread's messages in a batch consecutive seqs in batch order, and bumps the thread and the read marker", async () => {
    const seqs = await appendMessages(processA, [
      message('t1', 'ada', 'one'),
      message('t2', 'bob', 'elsewhere'),
      message('t1', 'bob', 'two'),
      message('t1', 'ada', 'three'),
    ]);
    expect(seqs).toEqual([1, 1, 2, 3]);
    expect(await stored('t1')).toEqual([
      { seq: 1, body: 'one' },
      { seq: 2, body: 'two' },
      { seq: 3, body: 'three' },
    ]);
    const thread = await database.db.thread.findUniqueOrThrow({ where: { id: 't1' } });
    expect(thread.lastSeq).toBe(3);
    const markers = await database.db.threadMember.findMany({ where: { threadId: 't1' }, orderBy: { userId: 'asc' } });
    expect(markers.map((m) => [m.userId, m.lastReadSeq])).toEqual([
      ['ada', 3],
      ['bob', 2],
    ]);
  });

  it('stores nothing for a non-member, an unknown thread or a reused clientId, and no hole in seq for the rest', async () => {
    await appendMessages(processA, [message('t3', 'ada', 'first', 'c-1')]);
    const seqs = await appendMessages(processA, [
      message('t3', 'eve', 'not a member'),
      message('nope', 'ada', 'no such thread'),
      message('t3', 'ada', 'retry of first', 'c-1'),
      message('t3', 'bob', 'new', 'c-2'),
      message('t3', 'bob', 'same clientId twice in one batch', 'c-2'),
      message('t3', 'ada', 'same clientId, other author', 'c-2'),
    ]);
    expect(seqs).toEqual([null, null, null, 2, null, 3]);
    expect((await stored('t3')).map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('lets two processes append to the same threads at once, in opposite orders, with gapless seqs', async () => {
    const rounds = 40;
    const sendAll = (hot: HotPath, author: string) =>
      Promise.all(
        Array.from({ length: rounds }, (_, round) =>
          // Each batch touches both threads, in opposite orders in the two processes.
          appendMessages(
            hot,
            author === 'ada'
              ? [message('t4', author, `${author}-${round}`), message('t2', author, `${author}-${round}`)]
              : [message('t2', author, `${author}-${round}`), message('t4', author, `${author}-${round}`)],
          ),
        ),
      );
    const before = (await stored('t2')).length;
    await Promise.all([sendAll(processA, 'ada'), sendAll(processB, 'bob')]);

    for (const threadId of ['t2', 't4']) {
      const rows = (await stored(threadId)).slice(threadId === 't2' ? before : 0);
      expect(rows).toHaveLength(2 * rounds);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => rows[0]!.seq + i));
      for (const author of ['ada', 'bob']) {
        const mine = rows.filter((r) => r.body.startsWith(`${author}-`)).map((r) => r.body);
        // Batches of one process were issued concurrently, so only count and uniqueness hold across them.
        expect(new Set(mine).size).toBe(rounds);
      }
    }
  });

  it('finds rows through indexes once its tables have grown, whatever their size when it started', async () => {
    // A plan cached while "Message" was nearly empty went on scanning the whole table for every batch.
    const own = await createTestPostgresDatabase();
    const client = new pg.Client({ connectionString: own.url });
    let hot: HotPath | undefined;
    try {
      await applyMigrations(own.url, migrationsDir, pino({ level: 'silent' }));
      await client.connect();
      await client.query(`INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash") VALUES ('ada', 'ada', 'ada', 'x')`);
      await client.query(`INSERT INTO "Thread" ("id", "kind", "createdAt") VALUES ('big', 'group', now()), ('small', 'group', now())`);
      await client.query(`INSERT INTO "ThreadMember" ("threadId", "userId", "joinedAt") VALUES ('big', 'ada', now()), ('small', 'ada', now())`);
      hot = createPostgresHotPath(own.url, 1);
      const send = async (threadId: string, batches: number) => {
        for (let b = 0; b < batches; b++) {
          const batch = Array.from({ length: 5 }, () => message(threadId, 'ada', 'hello', newTimeOrderedId()));
          expect((await appendMessages(hot!, batch)).every((seq) => seq !== null)).toBe(true);
        }
      };
      const whileSmall = 10;
      const onceBig = 60;
      await send('small', whileSmall);
      await client.query(`
        INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "clientId", "createdAt")
        SELECT 'bulk-' || n, 'big', n, 'ada', 'earlier', 'bulk-' || n, now() FROM generate_series(1, 50000) n`);
      await client.query(`UPDATE "Thread" SET "lastSeq" = 50000 WHERE "id" = 'big'`);
      await send('big', onceBig);
      await hot.close(); // a backend reports its table statistics when it ends
      hot = undefined;
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { rows } = await client.query(`
        SELECT t.seq_scan, t.seq_tup_read + (SELECT sum(i.idx_tup_read) FROM pg_stat_user_indexes i WHERE i.relid = t.relid) AS "read"
        FROM pg_stat_user_tables t WHERE t.relname = 'Message'`);
      // Each batch looks up its clientIds, none stored before: about nothing to read. A plan made while
      // "Message" was nearly empty read all 50,000 rows, by a scan or a whole index, for every batch.
      expect(Number(rows[0].seq_scan)).toBeLessThan(whileSmall + onceBig / 4);
      expect(Number(rows[0].read)).toBeLessThan(50_000);
    } finally {
      await hot?.close();
      await client.end();
      await own.drop();
    }
  });
});
