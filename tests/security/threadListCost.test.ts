import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { lastMessagesSql, threadPageSql } from '@parley/api/db/threadPageSql';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { makeTempDir } from '../helpers/tempDir.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { signUpOverHttp } from '../helpers/trpcClients.ts';
import { getProcedure, postProcedure } from './attacker.ts';

const MESSAGES = 100_000;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Alice and Bob share a direct thread; Alice also has a note thread. Then one thread gets MESSAGES messages. */
async function chattyServer(databaseUrl: string) {
  const s: TestServer = await startTestServer({ env: { DATABASE_URL: databaseUrl } });
  cleanups.push(() => s.close());
  const alice = await signUpOverHttp(s.url, 'alice');
  await signUpOverHttp(s.url, 'bob');
  const as = { authorization: `Bearer ${alice.token}` };
  const thread = (await postProcedure(s.url, 'thread.getOrCreate', { username: 'bob' }, as)).data as { id: string };
  await postProcedure(s.url, 'thread.getOrCreate', { username: 'alice' }, as);
  return { s, alice, as, threadId: thread.id };
}

describe('thread.list on a 100,000-message database', () => {
  it('SQLite: reads the last message per thread by index, no scan of Message', async () => {
    const dir = makeTempDir();
    cleanups.push(() => dir.remove());
    const { s, alice, as, threadId } = await chattyServer(`file:${dir.path}/parley.db`);
    // The server's own Prisma connection to its file, as a second process on the host would reach it.
    const db = s.parley.deps.db;
    await db.$executeRawUnsafe(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MESSAGES})
       INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "createdAt")
       SELECT 'seed-' || i, ?, i, ?, 'message ' || i, '2026-12-01T00:00:00.000+00:00' FROM n`,
      threadId,
      alice.user.id,
    );
    await db.$executeRawUnsafe(
      `UPDATE "Thread" SET "lastSeq" = ?, "lastMessageAt" = '2026-12-01T00:00:00.000+00:00' WHERE "id" = ?`,
      MESSAGES,
      threadId,
    );

    const list = (await getProcedure(s.url, 'thread.list', {}, as)).data as Array<{ id: string; lastMessage: { seq: number } | null }>;
    expect(list.find((t) => t.id === threadId)?.lastMessage?.seq).toBe(MESSAGES);

    const detailsOf = async (sql: string, ...params: unknown[]) =>
      (await db.$queryRawUnsafe<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`, ...params)).map((row) => row.detail);
    // The last messages: "Message" is read as `l` (the look-up of the last seq) and `m` (its row).
    const lastPlan = await detailsOf(lastMessagesSql('sqlite'), JSON.stringify([threadId]));
    const messageReads = lastPlan.filter((d) => /^(SEARCH|SCAN) (l|m)\b/.test(d));
    expect(messageReads, lastPlan.join('\n')).toHaveLength(2);
    for (const detail of messageReads)
      expect(detail, lastPlan.join('\n')).toMatch(/^SEARCH (l|m) USING (COVERING INDEX Message_threadId_seq_key|INTEGER PRIMARY KEY)/);
    // The page itself never touches "Message", and reaches every table through an index.
    const pagePlan = await detailsOf(threadPageSql('sqlite', true), alice.user.id, alice.user.id, threadId, 50);
    expect(pagePlan.join('\n')).not.toMatch(/Message/);
    expect(
      pagePlan.filter((d) => /^SCAN /.test(d)),
      pagePlan.join('\n'),
    ).toEqual([]);
  });

  it('PostgreSQL: reads a bounded number of Message rows and buffers, however many messages there are', async () => {
    const database = await createTestPostgresDatabase();
    cleanups.push(() => database.drop());
    const { s, alice, as, threadId } = await chattyServer(database.url);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    cleanups.push(() => client.end());
    await client.query(
      `INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "createdAt")
       SELECT 'seed-' || i, $1, i, $2, 'message ' || i, now() FROM generate_series(1, ${MESSAGES}) AS i`,
      [threadId, alice.user.id],
    );
    await client.query(`UPDATE "Thread" SET "lastSeq" = $1, "lastMessageAt" = now() WHERE "id" = $2`, [MESSAGES, threadId]);
    await client.query('ANALYZE');

    const list = (await getProcedure(s.url, 'thread.list', {}, as)).data as Array<{ id: string; lastMessage: { seq: number } | null }>;
    expect(list.find((t) => t.id === threadId)?.lastMessage?.seq).toBe(MESSAGES);

    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${lastMessagesSql('postgresql')}`, [[threadId]]);
    const messageNodes = collect(rows[0]['QUERY PLAN'][0].Plan).filter((node) => node['Relation Name'] === 'Message');
    expect(messageNodes.length).toBeGreaterThan(0);
    for (const node of messageNodes) {
      expect(node['Node Type'], JSON.stringify(rows[0]['QUERY PLAN'])).toMatch(/Index/);
      expect(Number(node['Actual Rows'])).toBeLessThanOrEqual(1);
    }
    expect(
      Number(rows[0]['QUERY PLAN'][0].Plan['Shared Hit Blocks'] ?? 0) + Number(rows[0]['QUERY PLAN'][0].Plan['Shared Read Blocks'] ?? 0),
    ).toBeLessThan(50);
  });
});

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };
function collect(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(collect)];
}
