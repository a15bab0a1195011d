import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Client, Config, InStatement, ResultSet, Transaction } from '@libsql/client';
import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Database, Db, DbProvider } from './db.ts';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.ts';
import { PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.ts';

// journal_mode is stored in the file; busy_timeout and foreign_keys last only as long as a connection.
// (libsql happens to default foreign_keys to on, but the schema's ON DELETE CASCADE must not hinge on that.)
const SQLITE_PRAGMAS = ['PRAGMA busy_timeout = 5000', 'PRAGMA foreign_keys = ON', 'PRAGMA journal_mode = WAL'];

export function databaseProvider(url: string): DbProvider {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgresql' : 'sqlite';
}

export async function createDatabase(url: string, options: { poolSize?: number } = {}): Promise<Database> {
  const provider = databaseProvider(url);
  let db: Db;
  if (provider === 'postgresql') {
    // Bounded waits: while PostgreSQL is unreachable a call fails within seconds instead of hanging.
    const pool = { connectionString: url, max: options.poolSize, connectionTimeoutMillis: 5000, query_timeout: 15_000 };
    db = new PostgresPrismaClient({ adapter: new PrismaPg(pool) });
  } else {
    ensureSqliteDirectory(url);
    // Same schema, same model API: only the generated provider differs.
    db = new SqlitePrismaClient({ adapter: new OneConnectionLibSQL({ url }) }) as unknown as Db;
  }
  await db.$connect();
  return {
    db,
    provider,
    async ping() {
      try {
        await db.$queryRaw`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.$disconnect(),
  };
}

/** libsql opens the file but not its directory; `file::memory:` has none. */
export function ensureSqliteDirectory(url: string): void {
  const match = /^file:(?:\/\/[^/?#]*)?([^?#]*)/i.exec(url);
  if (!match) throw new Error(`Not a SQLite database URL (expected file:path or postgres://): ${url}`);
  const path = decodeURIComponent(match[1] ?? '');
  if (path !== '' && !path.startsWith(':memory:')) mkdirSync(dirname(path), { recursive: true });
}

/**
 * libsql's local `transaction()` hands its connection to the transaction and lazily opens a new one,
 * which silently drops busy_timeout (Prisma runs upserts and nested writes in transactions) and keeps
 * one file handle per transaction open until garbage collection. The Prisma adapter already serializes
 * every query and transaction behind one mutex, so transactions can simply run on the one connection.
 */
class OneConnectionLibSQL extends PrismaLibSQL {
  override createClient(config: Config): Client {
    const client = super.createClient(config);
    const ready = (async () => {
      for (const sql of SQLITE_PRAGMAS) await client.execute(sql);
    })();
    ready.catch(() => {}); // reported by the first query, which awaits it
    return new Proxy(client, {
      get(target, key) {
        if (key === 'transaction') {
          return async () => {
            await ready;
            // IMMEDIATE, not Prisma's DEFERRED: a deferred reader that later writes gets SQLITE_BUSY at
            // once when another process wrote meanwhile, instead of waiting out the busy timeout.
            await target.execute('BEGIN IMMEDIATE');
            return sameConnectionTransaction(target);
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        if (key === 'execute' || key === 'batch' || key === 'executeMultiple') {
          return async (...args: unknown[]) => {
            await ready;
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
  }
}

function sameConnectionTransaction(client: Client): Transaction {
  let closed = false;
  const rollback = async () => {
    closed = true;
    await client.execute('ROLLBACK');
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
      }
    },
    rollback,
    close() {
      if (!closed) rollback().catch(() => {});
    },
  };
}
