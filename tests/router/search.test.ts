import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchMessagesStatement, type SearchQuery } from '@parley/api/db/searchIndexSql';
import { numbered, postgresDialect, sqliteDialect } from '@parley/api/db/sqlScript';
import { queryPhrasesOf } from '@parley/api/domain/searchTerms';
import { createRateLimits, DEFAULT_RATE_LIMITS } from '@parley/api/limits/rateLimits';
import { createProviderDeps, type Provider } from '../helpers/providerDeps.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { signedInCaller, type TestDeps } from '../helpers/testDeps.ts';

type Caller = Awaited<ReturnType<typeof signedInCaller>>;
type Hit = Awaited<ReturnType<Caller['message']['search']>>['hits'][number];

const marked = (hit: Hit) => hit.snippet.map((s) => (s.match ? `[${s.text}]` : s.text)).join('');

describe.each<[Provider]>([['SQLite'], ['PostgreSQL']])('message.search on %s', (provider) => {
  let deps: TestDeps;
  let n = 0;
  beforeAll(async () => {
    deps = await createProviderDeps(provider, { searchesPerMinute: 1_000_000 });
  }, 60_000);
  afterAll(async () => {
    await deps.close();
  });

  /** Fresh people per test (so each sees only its own messages): ada and bob share a thread, eve is a stranger to it. */
  async function people(): Promise<{ ada: Caller; bob: Caller; eve: Caller; threadId: string }> {
    n++;
    const [ada, bob, eve] = await Promise.all(['ada', 'bob', 'eve'].map((name) => signedInCaller(deps, `${name}${n}`)));
    const thread = await ada!.thread.getOrCreate({ username: bob!.user.username });
    return { ada: ada!, bob: bob!, eve: eve!, threadId: thread.id };
  }

  const bodiesFound = async (caller: Caller, query: string, threadId?: string) => {
    const { hits } = await caller.message.search({ query, threadId });
    return Promise.all(hits.map(async (hit) => (await deps.db.message.findUniqueOrThrow({ where: { id: hit.messageId } })).body));
  };

  /** Sends each body in turn, a second apart, so that recency tells them apart. */
  async function sendAll(caller: Caller, threadId: string, bodies: string[]) {
    const sent = [];
    for (const body of bodies) {
      deps.clock.advance(1000);
      sent.push(await caller.message.send({ threadId, body }));
    }
    return sent;
  }

  it('finds messages of my threads only; a thread I am not in is NOT_FOUND, like one that does not exist', async () => {
    const { ada, bob, eve, threadId } = await people();
    const notes = await ada.thread.getOrCreate({ username: ada.user.username });
    const [mine] = await sendAll(ada, threadId, ['the launch plan is ready']);
    await sendAll(ada, notes.id, ['launch checklist for myself']);
    const strangers = await eve.thread.getOrCreate({ username: eve.user.username });
    await sendAll(eve, strangers.id, ['the launch plan of eve']);

    expect(await bodiesFound(bob, 'launch')).toEqual(['the launch plan is ready']);
    expect((await bodiesFound(ada, 'launch')).sort()).toEqual(['launch checklist for myself', 'the launch plan is ready']);
    expect(await bodiesFound(ada, 'launch', notes.id)).toEqual(['launch checklist for myself']);
    expect(await bodiesFound(eve, 'launch plan')).toEqual(['the launch plan of eve']);
    expect(await codeOf(ada.message.search({ query: 'launch', threadId: strangers.id }))).toBe('NOT_FOUND');
    expect(await codeOf(ada.message.search({ query: 'launch', threadId: 'no-such-thread' }))).toBe('NOT_FOUND');

    const { hits } = await bob.message.search({ query: 'launch' });
    expect(hits).toEqual([
      {
        threadId,
        messageId: mine!.id,
        seq: 1,
        author: ada.user,
        createdAt: mine!.createdAt,
        snippet: [
          { text: 'the ', match: false },
          { text: 'launch', match: true },
          { text: ' plan is ready', match: false },
        ],
      },
    ]);
  });

  it('finds Korean words with their particles, by one syllable, and times like 10시', async () => {
    const { ada, bob, threadId } = await people();
    await sendAll(ada, threadId, ['회의는 10시', '오늘은 쉬는 날', '10시에 만나요']);
    await bob.message.send({ threadId, body: `@${ada.user.username} 회의를 했다` }); // a mention: the scripted path

    expect((await bodiesFound(bob, '회의')).sort()).toEqual([`@${ada.user.username} 회의를 했다`, '회의는 10시'].sort());
    expect((await bodiesFound(bob, '회')).sort()).toEqual([`@${ada.user.username} 회의를 했다`, '회의는 10시'].sort());
    expect((await bodiesFound(bob, '10시')).sort()).toEqual(['10시에 만나요', '회의는 10시']);
    expect(await bodiesFound(bob, '회의는')).toEqual(['회의는 10시']);
    expect(await bodiesFound(bob, '회의 10시')).toEqual(['회의는 10시']);
    expect(await bodiesFound(bob, '점심')).toEqual([]);
    const [hit] = (await bob.message.search({ query: '회의는' })).hits;
    expect(marked(hit!)).toBe('[회의는] 10시');
  });

  it('finds English words by their beginning, whatever the case, and wants every word of a mixed query', async () => {
    const { ada, bob, threadId } = await people();
    await sendAll(ada, threadId, ['Meetings moved to Thursday', '회의 meeting notes', 'meet me at the café']);

    expect((await bodiesFound(bob, 'Meeting')).sort()).toEqual(['Meetings moved to Thursday', '회의 meeting notes']);
    expect(await bodiesFound(bob, 'MEETING 회의')).toEqual(['회의 meeting notes']);
    expect(await bodiesFound(bob, 'cafe')).toEqual(['meet me at the café']);
    expect(await bodiesFound(bob, 'thurs')).toEqual(['Meetings moved to Thursday']);
    expect(await bodiesFound(bob, 'meeting dinner')).toEqual([]);
    expect(await bodiesFound(bob, 'zebra')).toEqual([]);
  });

  it('ranks a message with more of the words above one with fewer, and equal ones newest first', async () => {
    const { ada, bob, threadId } = await people();
    const [older, , newer] = await sendAll(ada, threadId, [
      'we could get lunch at the place near the office',
      'lunch lunch lunch',
      'we could get lunch at the place near the office',
    ]);
    const { hits } = await bob.message.search({ query: 'lunch' });
    expect(hits.map((h) => h.messageId)).toEqual([hits[0]!.messageId, newer!.id, older!.id]);
    expect(marked(hits[0]!)).toBe('[lunch] [lunch] [lunch]');
  });

  it.skipIf(provider === 'PostgreSQL')('weighs a rare word above a common one (bm25; ts_rank has no document frequencies)', async () => {
    const { ada, bob, threadId } = await people();
    await sendAll(ada, threadId, ['alpha beta gamma', 'alpha delta', 'alpha epsilon', 'alpha zeta eta']);
    const [commonTwice, rareTwice] = await sendAll(ada, threadId, ['alpha alpha omega', 'alpha omega omega']);
    const { hits } = await bob.message.search({ query: 'alpha omega' });
    expect(hits.map((h) => h.messageId)).toEqual([rareTwice!.id, commonTwice!.id]);
  });

  it('pages with the cursor: every hit once, in order, then no cursor; a cursor is for its own search only', async () => {
    const { ada, bob, threadId } = await people();
    const sent = await sendAll(
      ada,
      threadId,
      Array.from({ length: 45 }, (_, i) => (i % 3 === 0 ? `report ${i} report` : `weekly report ${i}`)),
    );
    const pages: Hit[][] = [];
    let cursor: string | undefined;
    do {
      const page = await bob.message.search({ query: 'report', cursor });
      pages.push(page.hits);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && pages.length < 5);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    const ids = pages.flat().map((h) => h.messageId);
    expect(new Set(ids).size).toBe(45);
    expect(new Set(ids)).toEqual(new Set(sent.map((m) => m.id)));
    // The twice-mentioning ones first (15 of them), each group newest first.
    const twice = sent.filter((_, i) => i % 3 === 0).reverse();
    const once = sent.filter((_, i) => i % 3 !== 0).reverse();
    expect(ids).toEqual([...twice, ...once].map((m) => m.id));

    const { nextCursor } = await bob.message.search({ query: 'report' });
    expect(await codeOf(bob.message.search({ query: 'weekly', cursor: nextCursor! }))).toBe('BAD_REQUEST');
    expect(await codeOf(bob.message.search({ query: 'report', threadId, cursor: nextCursor! }))).toBe('BAD_REQUEST');
    expect(await codeOf(bob.message.search({ query: 'report', cursor: 'not-a-cursor' }))).toBe('BAD_REQUEST');
  });

  it('finds an edited message by its new text only, and a deleted one not at all: its words leave the index', async () => {
    const { ada, bob, threadId } = await people();
    const [sent] = await sendAll(ada, threadId, ['pineapple pizza tonight']);
    expect(await bodiesFound(bob, 'pineapple')).toEqual(['pineapple pizza tonight']);
    await ada.message.edit({ messageId: sent!.id, body: 'mango salad tonight' });
    expect(await bodiesFound(bob, 'pineapple')).toEqual([]);
    expect(await bodiesFound(bob, 'mango')).toEqual(['mango salad tonight']);
    await ada.message.delete({ messageId: sent!.id });
    expect(await bodiesFound(bob, 'mango')).toEqual([]);
    expect(await bodiesFound(bob, 'tonight')).toEqual([]);
    const indexed =
      provider === 'SQLite'
        ? await deps.db.$queryRawUnsafe<unknown[]>('SELECT 1 FROM "MessageSearchDoc" WHERE "messageId" = ?', sent!.id)
        : await deps.db.$queryRawUnsafe<unknown[]>('SELECT 1 FROM "MessageSearch" WHERE "messageId" = $1', sent!.id);
    expect(indexed).toEqual([]);
    if (provider === 'SQLite') {
      // secure-delete: the index's own pages no longer hold the words either, nor does its stored text.
      const pages = await deps.db.$queryRawUnsafe<Array<{ block: Uint8Array | null }>>('SELECT "block" FROM "MessageSearch_data"');
      const stored = Buffer.concat(pages.flatMap((p) => (p.block ? [Buffer.from(p.block)] : [])));
      const text = await deps.db.$queryRawUnsafe<unknown[]>(
        `SELECT 1 FROM "MessageSearch_content" WHERE "c0" LIKE '%mango%' OR "c0" LIKE '%pineapple%'`,
      );
      expect(stored.includes('pineapple')).toBe(false);
      expect(stored.includes('mango')).toBe(false);
      expect(text).toEqual([]);
    }
  });

  it('indexes an edit made before the message itself was indexed, and the message in the background without a search', async () => {
    const { ada, bob, threadId } = await people();
    const [sent] = await sendAll(ada, threadId, ['kiwi tart for dessert']);
    await ada.message.edit({ messageId: sent!.id, body: 'plum tart for dessert' }); // before SQLite's backlog is indexed
    const [later] = await sendAll(ada, threadId, ['quince jam on toast']);
    const deadline = Date.now() + 5000;
    while ((await deps.db.messageSearchBacklog.count()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await deps.db.messageSearchBacklog.count()).toBe(0);
    expect(await bodiesFound(bob, 'kiwi')).toEqual([]);
    expect(await bodiesFound(bob, 'plum tart')).toEqual(['plum tart for dessert']);
    expect((await bob.message.search({ query: 'quince' })).hits.map((h) => h.messageId)).toEqual([later!.id]);
  });

  it('refuses a query that is empty, too long, has control characters or nothing to look for, with BAD_REQUEST', async () => {
    const { bob } = await people();
    for (const query of ['', '   ', 'x'.repeat(201), 'a\u0007b', 'two\nlines', '?! …']) {
      expect(await codeOf(bob.message.search({ query })), JSON.stringify(query)).toBe('BAD_REQUEST');
    }
    expect((await bob.message.search({ query: `  ${'x'.repeat(200)}  ` })).hits).toEqual([]);
  });

  it('limits searches per user with TOO_MANY_REQUESTS, other people unaffected', async () => {
    const { ada, bob } = await people();
    const generous = deps.rateLimits;
    deps.rateLimits = createRateLimits({ ...DEFAULT_RATE_LIMITS, searchesPerMinute: 3 });
    try {
      for (let i = 0; i < 3; i++) await bob.message.search({ query: 'anything' });
      expect(await codeOf(bob.message.search({ query: 'anything' }))).toBe('TOO_MANY_REQUESTS');
      await ada.message.search({ query: 'anything' });
    } finally {
      deps.rateLimits = generous;
    }
  });

  it('reads hits through the full-text index, whatever the filters (the plan says so)', async () => {
    const base: SearchQuery = { userId: 'u', phrases: queryPhrasesOf('회의 meeting 10시'), limit: 21 };
    const after = { score: 0.5, docId: 1, createdAt: new Date(), messageId: 'm' };
    const variants: SearchQuery[] = [base, { ...base, threadId: 't' }, { ...base, after }];
    for (const query of variants) {
      if (provider === 'SQLite') {
        // Told the user's threads (the usual case), and not (a user in very many threads).
        for (const threadIds of [['t', 'u'], []]) {
          const { sql, params } = searchMessagesStatement(sqliteDialect, query, threadIds);
          const plan = await deps.db.$queryRawUnsafe<Array<{ detail: string }>>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
          const steps = plan.map((row) => row.detail).join('\n');
          expect(steps).toMatch(/SCAN MessageSearch VIRTUAL TABLE INDEX \d+:M/);
          expect(steps).toMatch(/SEARCH d USING INTEGER PRIMARY KEY/);
          expect(steps).not.toMatch(/SCAN (m|u|tm)\b/);
        }
      } else {
        const { sql, params } = searchMessagesStatement(postgresDialect, query);
        const plan = await deps.db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
          return tx.$queryRawUnsafe<Array<{ 'QUERY PLAN': string }>>(`EXPLAIN ${numbered(sql)}`, ...params);
        });
        const steps = plan.map((row) => row['QUERY PLAN']).join('\n');
        expect(steps).toMatch(/Bitmap Index Scan on "?MessageSearch_terms_idx"?/);
      }
    }
  });
});
