import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { applyMigrations } from '@parley/api/db/migrate';
import { newTimeOrderedId } from '@parley/api/ids';
import { createParleyClient } from '@parley/client';
import { pino } from 'pino';
import { chatMessage, SEARCH_QUERY_KINDS, seededRandom } from '../load/searchCorpus.ts';
import { repoRoot } from '../repoRoot.ts';
import { spawnServerProcess } from '../servers/spawnServerProcess.ts';
import { seedParleySessions } from '../targets/seedParleySessions.ts';

export interface SearchScenarioOptions {
  messages: number;
  threads: number;
  users: number;
  membersPerThread: number;
  /** Threads the searching user is a member of: only their messages may be hits. */
  searcherThreads: number;
  /** Searches timed, one at a time. */
  queries: number;
  /** How long the server may take to index the seeded messages. */
  backfillTimeoutMs: number;
}

interface SearchLatency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SearchScenarioResult {
  server: 'parley';
  messages: number;
  threads: number;
  /** Messages in the searcher's threads. */
  visibleMessages: number;
  seedSec: number;
  /** From the server's start until it had indexed every seeded message (its start-up backfill). */
  backfillSec: number;
  /** The database file (and its WAL) once indexed. */
  databaseMb: number;
  queries: number;
  latencyMs: SearchLatency;
  byKind: Array<{ kind: string; queries: number; hitsOnFirstPage: number; latencyMs: SearchLatency }>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ROWS_PER_INSERT = 500;
const SERVER_ENV = {
  SEARCHES_PER_MINUTE: '1000000',
  MAX_SOCKETS_PER_ADDRESS: '1000000',
};

/**
 * Scenario (f), Parley only: `messages` of mixed Korean and English written straight into a new embedded
 * database as an older Parley would have left it (listed for indexing, like the search migration lists
 * old messages), the server started on it (it indexes them in the background: the time is reported),
 * then `queries` searches over WebSocket, one at a time, timed at the client.
 */
export async function runSearchScenario(options: SearchScenarioOptions): Promise<SearchScenarioResult> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-bench-search-'));
  const path = join(dir, 'bench.db');
  const databaseUrl = `file:${path}`;
  let server: Awaited<ReturnType<typeof spawnServerProcess>> | undefined;
  try {
    const seedStart = performance.now();
    await applyMigrations(databaseUrl, join(repoRoot, 'prisma/migrations'), pino({ level: 'silent' }));
    const run = randomBytes(3).toString('hex');
    const users = await seedParleySessions(
      databaseUrl,
      Array.from({ length: options.users }, (_, i) => `f${run}u${i}`),
    );
    const sqlite = createClient({ url: databaseUrl });
    let visibleMessages = 0;
    try {
      visibleMessages = await seedThreads(
        sqlite,
        options,
        users.map((u) => u.username),
      );
    } finally {
      sqlite.close();
    }
    const seedSec = (performance.now() - seedStart) / 1000;

    const backfillStart = performance.now();
    server = await spawnServerProcess({ entry: 'apps/server/src/main.ts', env: { ...SERVER_ENV, DATABASE_URL: databaseUrl } });
    await waitForIndex(databaseUrl, options.backfillTimeoutMs);
    const backfillSec = (performance.now() - backfillStart) / 1000;
    const databaseMb = ((await fileSize(path)) + (await fileSize(`${path}-wal`))) / 2 ** 20;

    const client = createParleyClient({ url: server.url, token: users[0]!.token });
    const timings = new Map<string, { times: number[]; hits: number }>();
    try {
      const plan = Array.from({ length: options.queries }, (_, i) => {
        const kind = SEARCH_QUERY_KINDS[i % SEARCH_QUERY_KINDS.length]!;
        return { kind: kind.kind, query: kind.queries[Math.floor(i / SEARCH_QUERY_KINDS.length) % kind.queries.length]! };
      });
      for (const { query } of plan.slice(0, SEARCH_QUERY_KINDS.length)) await client.api.message.search.query({ query }); // warm up
      for (const { kind, query } of plan) {
        const started = performance.now();
        const page = await client.api.message.search.query({ query });
        const entry = timings.get(kind) ?? { times: [], hits: 0 };
        entry.times.push(performance.now() - started);
        entry.hits += page.hits.length;
        timings.set(kind, entry);
      }
    } finally {
      await client.close();
    }
    const all = [...timings.values()].flatMap((t) => t.times);
    return {
      server: 'parley',
      messages: options.messages,
      threads: options.threads,
      visibleMessages,
      seedSec: round(seedSec),
      backfillSec: round(backfillSec),
      databaseMb: round(databaseMb),
      queries: all.length,
      latencyMs: latency(all),
      byKind: [...timings].map(([kind, t]) => ({
        kind,
        queries: t.times.length,
        hitsOnFirstPage: round(t.hits / t.times.length),
        latencyMs: latency(t.times),
      })),
    };
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Group threads of the seeded users and their messages, oldest first over a year; returns how many the first user can see. */
async function seedThreads(sqlite: Client, options: SearchScenarioOptions, usernames: string[]): Promise<number> {
  const ids = new Map<string, string>();
  for (const row of (await sqlite.execute('SELECT "id", "username" FROM "User"')).rows) ids.set(String(row.username), String(row.id));
  const userIds = usernames.map((name) => ids.get(name)!);
  const random = seededRandom(20261204);
  const perThread = Math.ceil(options.messages / options.threads);
  const end = Date.now();
  const at = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
  const tx = await sqlite.transaction('write');
  let visible = 0;
  try {
    for (let t = 0; t < options.threads; t++) {
      const threadId = newTimeOrderedId(end - 366 * DAY_MS);
      const members = new Set<string>(t < options.searcherThreads ? [userIds[0]!] : []);
      for (let k = 0; members.size < options.membersPerThread; k++) members.add(userIds[1 + ((t * 7 + k) % (userIds.length - 1))]!);
      const count = Math.min(perThread, options.messages - t * perThread);
      if (t < options.searcherThreads) visible += count;
      await tx.execute({
        sql: `INSERT INTO "Thread" ("id", "kind", "title", "lastSeq", "lastMessageAt", "createdAt") VALUES (?, 'group', ?, ?, ?, ?)`,
        args: [threadId, `search bench ${t}`, count, at(end), at(end - 366 * DAY_MS)],
      });
      for (const userId of members) {
        await tx.execute({
          sql: `INSERT INTO "ThreadMember" ("threadId", "userId", "joinedAt") VALUES (?, ?, ?)`,
          args: [threadId, userId, at(end - 366 * DAY_MS)],
        });
      }
      const authors = [...members];
      for (let first = 1; first <= count; first += ROWS_PER_INSERT) {
        const rows = Math.min(ROWS_PER_INSERT, count - first + 1);
        const args: Array<string | number> = [];
        for (let seq = first; seq < first + rows; seq++) {
          const createdAt = end - 365 * DAY_MS + Math.floor(((seq - 1) / count) * 365 * DAY_MS) + t;
          args.push(newTimeOrderedId(createdAt), threadId, seq, authors[seq % authors.length]!, chatMessage(random), at(createdAt));
        }
        await tx.execute({
          sql: `INSERT INTO "Message" ("id", "threadId", "seq", "authorId", "body", "createdAt") VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
          args,
        });
      }
    }
    // As the search migration does for the messages an older Parley stored.
    await tx.execute(`INSERT INTO "MessageSearchBacklog" ("messageId") SELECT "id" FROM "Message" WHERE "deletedAt" IS NULL AND "body" <> ''`);
    await tx.commit();
  } finally {
    tx.close();
  }
  return visible;
}

async function waitForIndex(databaseUrl: string, timeoutMs: number): Promise<void> {
  const sqlite = createClient({ url: databaseUrl });
  try {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const [row] = (await sqlite.execute('SELECT count(*) AS "left" FROM "MessageSearchBacklog"')).rows;
      if (Number(row?.left) === 0) return;
      if (performance.now() > deadline)
        throw new Error(`the server had not indexed the seeded messages after ${timeoutMs} ms (${String(row?.left)} left)`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    sqlite.close();
  }
}

function latency(times: number[]): SearchLatency {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted.at(-1) ?? 0) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}
