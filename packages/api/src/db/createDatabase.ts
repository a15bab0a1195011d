import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Client, Config, InStatement, ResultSet, Transaction } from '@libsql/client';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import { Mutex } from 'async-mutex';
import type { Logger } from 'pino';
import type { HotPath } from './hotPath.ts';
import { createPostgresHotPath } from './postgresHotPath.ts';
import { startSearchBackfill } from './searchBackfill.ts';
import { createSqliteHotPath } from './sqliteHotPath.ts';
import type { Database, Db, DbProvider } from './db.ts';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.ts';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.ts';

// journal_mode is stored in the file; busy_timeout and foreign_keys last only as long as a connection.
// (libsql happens to default foreign_keys to on, but the schema's ON DELETE CASCADE must not hinge on that.)
// wal_autocheckpoint: the hot path's worker checkpoints (sqliteCheckpointer.ts), not Prisma's commits.
const SQLITE_PRAGMAS = [
  'PRAGMA busy_timeout = 5000',
  'PRAGMA foreign_keys = ON',
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = NORMAL',
  'PRAGMA wal_autocheckpoint = 0',
];

export function databaseProvider(url: string): DbProvider {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgresql' : 'sqlite';
}

export async function createDatabase(url: string, options: { poolSize?: number; logger?: Logger } = {}): Promise<Database> {
  const provider = databaseProvider(url);
  let db: Db;
  let hotPath: HotPath;
  let wakeSearchBackfill = () => {};
  if (provider === 'postgresql') {
    // Bounded waits: while PostgreSQL is unreachable a call fails within seconds instead of hanging.
    const pool = { connectionString: url, max: options.poolSize, connectionTimeoutMillis: 3000, query_timeout: 10_000 };
    db = new PostgresPrismaClient({ adapter: new PrismaPg(pool) });
    await db.$connect();
    hotPath = createPostgresHotPath(url, options.poolSize ?? 10);
  } else {
    const path = ensureSqliteDirectory(url);
    const adapter = new OneConnectionLibSQL({ url });
    // Same schema, same model API: only the generated provider differs.
    db = new SqlitePrismaClient({ adapter }) as unknown as Db;
    await db.$connect();
    await db.$queryRaw`SELECT 1`; // makes Prisma open its connection and put the file in WAL mode
    hotPath = await createSqliteHotPath(path, adapter.exclusive, { logger: options.logger, onSearchBacklog: () => wakeSearchBackfill() });
  }
  const searchBackfill = startSearchBackfill(hotPath, { logger: options.logger });
  wakeSearchBackfill = searchBackfill.wake;
  return {
    db,
    provider,
    hotPath,
    async ping() {
      // Bounded, so /readyz answers promptly while the database does not.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 2000)));
      const answer = db.$queryRaw`SELECT 1`.then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([answer, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await searchBackfill.stop();
      await hotPath.close();
      await db.$disconnect();
    },
  };
}

/** libsql opens the file but not its directory; `file::memory:` has none. Returns the file's path. */
export function ensureSqliteDirectory(url: string): string {
  const match = /^file:(?:\/\/[^/?#]*)?([^?#]*)/i.exec(url);
  if (!match) throw new Error(`Not a SQLite database URL (expected file:path or postgres://): ${url}`);
  const path = decodeURIComponent(match[1] ?? '');
  if (path !== '' && !path.startsWith(':memory:')) mkdirSync(dirname(path), { recursive: true });
  return path;
}

/**
 * libsql's local `transaction()` hands its connection to the transaction and lazily opens a new one,
 * which silently drops busy_timeout (Prisma runs upserts and nested writes in transactions) and keeps
 * one file handle per transaction open until garbage collection. So transactions run on the one
 * connection, and a lock of ours (below the adapter's own) spans each statement or whole transaction.
 * The hot path's writes, on a connection of their own, take the same lock (`exclusive`), so the two
 * connections never hold a write lock at once.
 */
class OneConnectionLibSQL extends PrismaLibSQL {
  readonly #lock = new Mutex();
  #ready: Promise<void> = Promise.resolve();

  /** Runs `work` while Prisma's connection is idle (after the pragmas are set). */
  readonly exclusive = <T>(work: () => Promise<T>): Promise<T> =>
    this.#lock.runExclusive(async () => {
      await this.#ready;
      return work();
    });

  override createClient(config: Config): Client {
    const client = super.createClient(config);
    this.#ready = (async () => {
      for (const sql of SQLITE_PRAGMAS) await client.execute(sql);
    })();
    this.#ready.catch(() => {}); // reported by the first query, which awaits it
    const lock = this.#lock;
    const ready = () => this.#ready;
    return new Proxy(client, {
      get(target, key) {
        if (key === 'transaction') {
          return async () => {
            const release = await lock.acquire();
            try {
              await ready();
              // IMMEDIATE, not Prisma's DEFERRED: a deferred reader that later writes gets SQLITE_BUSY at
              // once when another process wrote meanwhile, instead of waiting out the busy timeout.
              await target.execute('BEGIN IMMEDIATE');
            } catch (error) {
              release();
              throw error;
            }
            return sameConnectionTransaction(target, release);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        if (key === 'execute' || key === 'batch' || key === 'executeMultiple') {
          return (...args: unknown[]) =>
            lock.runExclusive(async () => {
              await ready();
              return value.apply(target, args);
            });
        }
        return value.bind(target);
      },
    });
  }
}

function sameConnectionTransaction(client: Client, release: () => void): Transaction {
  let closed = false;
  const rollback = async () => {
    closed = true;
    try {
      await client.execute('ROLLBACK');
    } finally {
      release();
    }
  };
  return {
    get closed() {
      return closed;
    },
    execute: (stmt: InStatement) => client.execute(stmt),
    async batch(stmts: InStatement[]) {
      const results: ResultSet[] = [];
      for (const stmt of stmts) results.push(await client.execute(stmt));
      return results;
    },
    executeMultiple: () => Promise.reject(new Error('executeMultiple is not supported inside a transaction')),
    async commit() {
      closed = true;
      try {
        await client.execute('COMMIT');
      } catch (error) {
        // A failed COMMIT can leave the transaction open on the shared connection.
        await client.execute('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        release();
      }
    },
    rollback,
    close() {
      if (!closed) rollback().catch(() => {});
    },
  };
}
