import type { PrismaClient } from './generated/postgresql/client.ts';
import type { HotPath } from './hotPath.ts';

/**
 * The Prisma client the domain code uses. Both generated clients (PostgreSQL and SQLite) come from one
 * schema and expose the same model API; domain code sticks to what both providers support.
 */
export type Db = PrismaClient;
export type DbProvider = 'postgresql' | 'sqlite';

export interface Database {
  db: Db;
  provider: DbProvider;
  /** Plain-SQL versions of the per-message and per-connection queries. */
  hotPath: HotPath;
  /** Answers whether the database responds (health checks). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
