import { createHash, randomUUID } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import pg from 'pg';
import type { Logger } from 'pino';
import { databaseProvider, ensureSqliteDirectory } from './createDatabase.ts';

// `prisma migrate deploy` cannot run through the pg driver adapter (prisma#27403), so Parley applies the
// migrations itself, keeping Prisma's `_prisma_migrations` bookkeeping so Prisma's tooling agrees.

/** Prisma Migrate's advisory lock key: Parley processes and the Prisma CLI also wait for each other. */
const POSTGRES_LOCK_KEY = 72707369;
/** How long a SQLite migrator waits for another process's write lock before giving up. */
const SQLITE_LOCK_WAIT_MS = 60_000;

// Prisma's own table definitions (prisma-engines, sql-schema-connector flavours), plus IF NOT EXISTS.
const POSTGRES_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;
const SQLITE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;
const HISTORY_QUERY = `SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at`;

interface Migration {
  name: string;
  script: string;
  checksum: string;
}
interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}
/** What a migration transaction can do; it runs holding the migration lock. */
interface MigrationTx {
  history(): Promise<HistoryRow[]>;
  /** Runs the script and records it as applied. */
  apply(migration: Migration): Promise<void>;
}
interface Migrator {
  transaction<T>(work: (tx: MigrationTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function applyMigrations(url: string, migrationsRoot: string, logger: Logger): Promise<{ applied: string[] }> {
  const provider = databaseProvider(url);
  const migrations = await readMigrations(join(migrationsRoot, provider));
  const applied: string[] = [];
  if (migrations.length === 0) return { applied };

  const migrator = provider === 'postgresql' ? await postgresMigrator(url, logger) : await sqliteMigrator(url);
  try {
    // One transaction per migration; the history is re-read under the lock, so a migration another
    // process applied meanwhile is skipped rather than applied twice.
    for (const migration of migrations) {
      const startedAt = Date.now();
      const didApply = await migrator.transaction(async (tx) => {
        const history = await tx.history();
        verifyHistory(history, migrations);
        if (history.some((row) => isApplied(row) && row.migration_name === migration.name)) return false;
        await tx.apply(migration).catch((error: unknown) => {
          throw new Error(`Migration ${migration.name} failed and was rolled back: ${errorMessage(error)}`, {
            cause: error,
          });
        });
        return true;
      });
      if (didApply) {
        applied.push(migration.name);
        logger.info({ migration: migration.name, ms: Date.now() - startedAt }, 'applied database migration');
      }
    }
  } finally {
    await migrator.close();
  }
  return { applied };
}

async function readMigrations(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const migrations: Migration[] = [];
  for (const name of names.sort()) {
    const script = await readFile(join(dir, name, 'migration.sql'), 'utf8').catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // a folder without migration.sql is not a migration
      throw error;
    });
    if (script !== undefined) migrations.push({ name, script, checksum: sha256(script) });
  }
  return migrations;
}

function verifyHistory(history: HistoryRow[], migrations: Migration[]): void {
  for (const row of history) {
    if (row.rolled_back_at != null) continue;
    if (row.finished_at == null) {
      throw new Error(
        `Migration ${row.migration_name} is recorded as started but not finished in _prisma_migrations; ` +
          'repair the database and mark it with `prisma migrate resolve` before starting',
      );
    }
    const migration = migrations.find((m) => m.name === row.migration_name);
    if (migration && !checksumMatches(migration.script, row.checksum)) {
      throw new Error(
        `Migration ${row.migration_name} was modified after it was applied: its migration.sql checksum ` +
          `no longer matches _prisma_migrations (${row.checksum}). Restore the file, add a new migration instead.`,
      );
    }
  }
}

function isApplied(row: HistoryRow): boolean {
  return row.finished_at != null && row.rolled_back_at == null;
}

/** Like Prisma, accept the script with either line endings (git may convert them on checkout). */
function checksumMatches(script: string, checksum: string): boolean {
  const variants = [script, script.replaceAll('\r\n', '\n'), script.replaceAll('\r\n', '\n').replaceAll('\n', '\r\n')];
  return variants.some((variant) => sha256(variant) === checksum);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function postgresMigrator(url: string, logger: Logger): Promise<Migrator> {
  // A session-level advisory lock belongs to one connection, so this is a dedicated Client, not a pool.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${POSTGRES_LOCK_KEY}) AS locked`);
    if (!rows[0]?.locked) {
      logger.info('waiting for another process to finish database migrations');
      await client.query(`SELECT pg_advisory_lock(${POSTGRES_LOCK_KEY})`);
    }
    await client.query(POSTGRES_HISTORY_TABLE);
  } catch (error) {
    await client.end();
    throw error;
  }

  const tx: MigrationTx = {
    history: async () => (await client.query<HistoryRow>(HISTORY_QUERY)).rows,
    async apply(migration) {
      await client.query(migration.script); // no parameters: simple query protocol, several statements
      await client.query(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
    },
  };
  return {
    async transaction(work) {
      await client.query('BEGIN');
      try {
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    close: () => client.end(), // ending the session releases the advisory lock
  };
}

async function sqliteMigrator(url: string): Promise<Migrator> {
  ensureSqliteDirectory(url);
  const client = createClient({ url });
  const prepareConnection = async () => {
    await client.execute(`PRAGMA busy_timeout = ${SQLITE_LOCK_WAIT_MS}`);
    // Prisma's table-redefining SQLite migrations switch foreign keys off so that DROP TABLE does not
    // cascade into child tables, but that PRAGMA is a no-op inside a transaction: switch it off here,
    // before BEGIN, and run foreign_key_check before committing instead.
    await client.execute('PRAGMA foreign_keys = OFF');
  };
  try {
    await prepareConnection();
    // Persistent: set before the app opens the file, so its readers never wait for a migrator.
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute(SQLITE_HISTORY_TABLE);
  } catch (error) {
    client.close();
    throw error;
  }

  return {
    async transaction(work) {
      // libsql gives each transaction the client's current connection and opens a fresh one for the
      // client afterwards, so the connection settings are applied again before every transaction.
      await prepareConnection();
      const sqlite = await client.transaction('write'); // BEGIN IMMEDIATE: the write lock is the migration lock
      try {
        const result = await work({
          history: async () => (await sqlite.execute(HISTORY_QUERY)).rows as unknown as HistoryRow[],
          async apply(migration) {
            const startedAt = sqliteTimestamp();
            await sqlite.executeMultiple(migration.script);
            const violations = await sqlite.execute('PRAGMA foreign_key_check');
            if (violations.rows.length > 0) {
              throw new Error(`foreign key violations: ${JSON.stringify(violations.rows.slice(0, 5))}`);
            }
            await sqlite.execute({
              sql: `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count")
                    VALUES (?, ?, ?, ?, ?, 1)`,
              args: [randomUUID(), migration.checksum, migration.name, startedAt, sqliteTimestamp()],
            });
          },
        });
        await sqlite.commit();
        return result;
      } finally {
        sqlite.close(); // rolls back unless committed
      }
    },
    close: async () => client.close(),
  };
}

/** The text form Prisma's libsql adapter writes DATETIME values in. */
function sqliteTimestamp(): string {
  return new Date().toISOString().replace('Z', '+00:00');
}
