import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from '@libsql/client';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsDir, repoRoot } from '../../../../tests/helpers/paths.ts';
import { createTestPostgresDatabase } from '../../../../tests/helpers/postgresDatabase.ts';
import { makeTempDir } from '../../../../tests/helpers/tempDir.ts';
import { applyMigrations } from './migrate.ts';

const INIT = '20261125000000_init';
/** Every migration committed in the repo, oldest first (the same names for both providers). */
const COMMITTED = readdirSync(join(migrationsDir, 'sqlite'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
/**
 * Fixture migrations are dated after any real one will ever be, so they sort last: a fixture dated
 * before a real migration would run in the middle of the committed history.
 */
const FIXTURE_DATE = '99990101000000';
const APP_TABLES = [
  'Attachment',
  'Mention',
  'Message',
  'MessageSearch',
  'MessageSearchBacklog',
  'PushSubscription',
  'Reaction',
  'ServerSetting',
  'Session',
  'Thread',
  'ThreadEvent',
  'ThreadMember',
  'User',
];
// SQLite's search index is an FTS5 table ("MessageSearch", in APP_TABLES) with shadow tables, and a map to it.
const SQLITE_SEARCH_TABLES = [
  'MessageSearchDoc',
  'MessageSearch_config',
  'MessageSearch_content',
  'MessageSearch_data',
  'MessageSearch_docsize',
  'MessageSearch_idx',
];
const silent = pino({ level: 'silent' });
const migrateModule = fileURLToPath(new URL('./migrate.ts', import.meta.url));

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = makeTempDir();
  cleanups.push(dir.remove);
  return dir.path;
}

/** A private copy of prisma/migrations that a test may add to or tamper with. */
function copyOfMigrations(): string {
  const root = join(tempDir(), 'migrations');
  cpSync(migrationsDir, root, { recursive: true });
  return root;
}

function addMigration(root: string, provider: 'sqlite' | 'postgresql', name: string, sql: string): void {
  mkdirSync(join(root, provider, name));
  writeFileSync(join(root, provider, name, 'migration.sql'), sql);
}

function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Runs applyMigrations in a separate Node process, as a second server starting would. */
async function applyInChildProcess(url: string, root: string): Promise<{ applied: string[] }> {
  const script = `
    const { applyMigrations } = await import(${JSON.stringify(migrateModule)});
    const quiet = { info() {}, warn() {} };
    console.log(JSON.stringify(await applyMigrations(process.argv[1], process.argv[2], quiet)));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script, url, root], {
    cwd: repoRoot,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}

/** Every result together must apply each migration exactly once. */
function expectEachAppliedOnce(results: Array<{ applied: string[] }>, names: string[]): void {
  expect(results.flatMap((result) => result.applied).sort()).toEqual([...names].sort());
}

describe('applyMigrations on SQLite', () => {
  function sqliteUrl(): string {
    return `file:${join(tempDir(), 'data', 'parley.db')}`;
  }

  async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
    const client = createClient({ url });
    try {
      return (await client.execute(sql)).rows.map((row) => ({ ...row }));
    } finally {
      client.close();
    }
  }

  it('applies the init migration to a fresh database, creating its directory, and logs it', async () => {
    const url = sqliteUrl();
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });

    expect(await applyMigrations(url, migrationsDir, logger)).toEqual({ applied: COMMITTED });

    const tables = await query(url, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
    expect(tables.map((t) => t.name)).toEqual([...APP_TABLES, ...SQLITE_SEARCH_TABLES].sort().concat('_prisma_migrations'));
    expect(lines.map((line) => JSON.parse(line))).toMatchObject(COMMITTED.map((migration) => ({ migration, msg: 'applied database migration' })));
  });

  it('applies nothing when run again', async () => {
    const url = sqliteUrl();
    await applyMigrations(url, migrationsDir, silent);
    expect(await applyMigrations(url, migrationsDir, silent)).toEqual({ applied: [] });
    expect(await query(url, 'SELECT migration_name FROM _prisma_migrations')).toEqual(COMMITTED.map((migration_name) => ({ migration_name })));
  });

  it("records migrations in a _prisma_migrations table laid out like Prisma's", async () => {
    const url = sqliteUrl();
    await applyMigrations(url, migrationsDir, silent);

    const columns = await query(url, 'PRAGMA table_info(_prisma_migrations)');
    expect(columns.map(({ name, type, notnull, dflt_value, pk }) => [name, type, notnull, dflt_value, pk])).toEqual([
      ['id', 'TEXT', 1, null, 1],
      ['checksum', 'TEXT', 1, null, 0],
      ['finished_at', 'DATETIME', 0, null, 0],
      ['migration_name', 'TEXT', 1, null, 0],
      ['logs', 'TEXT', 0, null, 0],
      ['rolled_back_at', 'DATETIME', 0, null, 0],
      ['started_at', 'DATETIME', 1, 'current_timestamp', 0],
      ['applied_steps_count', 'INTEGER UNSIGNED', 1, '0', 0],
    ]);
    const [row] = await query(url, 'SELECT * FROM _prisma_migrations');
    expect(row).toMatchObject({
      migration_name: INIT,
      checksum: sha256OfFile(join(migrationsDir, 'sqlite', INIT, 'migration.sql')),
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(row?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(String(row?.finished_at))).not.toBeNaN();
  });

  it('refuses to start when an applied migration file was changed, naming the migration', async () => {
    const url = sqliteUrl();
    const root = copyOfMigrations();
    await applyMigrations(url, root, silent);
    const file = join(root, 'sqlite', INIT, 'migration.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited after the fact\n`);

    await expect(applyMigrations(url, root, silent)).rejects.toThrow(new RegExp(`Migration ${INIT} was modified after it was applied`));
  });

  it('accepts an applied migration whose file only changed line endings, as Prisma does', async () => {
    const url = sqliteUrl();
    const root = copyOfMigrations();
    await applyMigrations(url, root, silent);
    const file = join(root, 'sqlite', INIT, 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('\n', '\r\n'));

    expect(await applyMigrations(url, root, silent)).toEqual({ applied: [] });
  });

  it('rolls back a failing migration and reports its name and the database error', async () => {
    const url = sqliteUrl();
    const root = copyOfMigrations();
    addMigration(root, 'sqlite', `${FIXTURE_DATE}_broken`, 'CREATE TABLE "Half" ("id" TEXT);\nINSERT INTO "Missing" VALUES (1);\n');

    await expect(applyMigrations(url, root, silent)).rejects.toThrow(
      new RegExp(`Migration ${FIXTURE_DATE}_broken failed and was rolled back: .*no such table: Missing`),
    );
    expect(await query(url, `SELECT name FROM sqlite_master WHERE name = 'Half'`)).toEqual([]);
    expect(await query(url, 'SELECT migration_name FROM _prisma_migrations')).toEqual(COMMITTED.map((migration_name) => ({ migration_name })));
  });

  it("keeps child rows when a migration redefines a parent table the way Prisma's SQLite migrations do", async () => {
    const url = sqliteUrl();
    const root = copyOfMigrations();
    await applyMigrations(url, root, silent);
    await query(url, `INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash") VALUES ('u1', 'Ada', 'ada', 'x')`);
    await query(url, `INSERT INTO "Session" ("id", "secretHash", "userId", "createdAt", "lastUsedAt") VALUES ('s1', x'01', 'u1', 0, 0)`);
    // What `prisma migrate diff` writes for adding a column SQLite cannot ALTER in place: copy, DROP, rename.
    addMigration(
      root,
      'sqlite',
      `${FIXTURE_DATE}_redefine_user`,
      `PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "username" TEXT NOT NULL,
    "usernameKey" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "bio" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_User" ("createdAt", "id", "passwordHash", "username", "usernameKey") SELECT "createdAt", "id", "passwordHash", "username", "usernameKey" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_usernameKey_key" ON "User"("usernameKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`,
    );

    expect(await applyMigrations(url, root, silent)).toEqual({ applied: [`${FIXTURE_DATE}_redefine_user`] });
    expect(await query(url, 'SELECT "id" FROM "Session"')).toEqual([{ id: 's1' }]);
  });

  it('rolls back a migration that leaves foreign keys dangling', async () => {
    const url = sqliteUrl();
    const root = copyOfMigrations();
    await applyMigrations(url, root, silent);
    await query(url, `INSERT INTO "User" ("id", "username", "usernameKey", "passwordHash") VALUES ('u1', 'Ada', 'ada', 'x')`);
    await query(url, `INSERT INTO "Session" ("id", "secretHash", "userId", "createdAt", "lastUsedAt") VALUES ('s1', x'01', 'u1', 0, 0)`);
    addMigration(root, 'sqlite', `${FIXTURE_DATE}_orphan`, 'DELETE FROM "User";\n');

    await expect(applyMigrations(url, root, silent)).rejects.toThrow(new RegExp(`${FIXTURE_DATE}_orphan.*foreign key violations`));
    expect(await query(url, 'SELECT "id" FROM "User"')).toEqual([{ id: 'u1' }]);
  });

  it('applies each migration once when several processes start at the same time', async () => {
    const url = sqliteUrl();
    const root = copyOfMigrations();
    // A slow second migration (counting in SQL) keeps the write lock held while the others arrive.
    addMigration(
      root,
      'sqlite',
      `${FIXTURE_DATE}_slow`,
      'CREATE TABLE "Slow" ("n" INTEGER);\n' +
        'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) INSERT INTO "Slow" SELECT count(*) FROM c;\n',
    );

    // All in child processes: they boot at the same pace, so they really do meet at the lock.
    const results = await Promise.all(Array.from({ length: 4 }, () => applyInChildProcess(url, root)));

    expectEachAppliedOnce(results, [...COMMITTED, `${FIXTURE_DATE}_slow`]);
    expect(await query(url, 'SELECT count(*) AS n FROM _prisma_migrations')).toEqual([{ n: COMMITTED.length + 1 }]);
  });
});

describe('applyMigrations on PostgreSQL', () => {
  async function database(): Promise<string> {
    const created = await createTestPostgresDatabase();
    cleanups.push(created.drop);
    return created.url;
  }

  async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('applies the init migration to a fresh database and nothing when run again', async () => {
    const url = await database();

    expect(await applyMigrations(url, migrationsDir, silent)).toEqual({ applied: COMMITTED });
    expect(await applyMigrations(url, migrationsDir, silent)).toEqual({ applied: [] });

    const tables = await query(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.map((t) => t.tablename)).toEqual([...APP_TABLES, '_prisma_migrations']);
  });

  it("records migrations in a _prisma_migrations table laid out like Prisma's", async () => {
    const url = await database();
    await applyMigrations(url, migrationsDir, silent);

    const columns = await query(
      url,
      `SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
       FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => Object.values(c))).toEqual([
      ['id', 'character varying', 36, 'NO', null],
      ['checksum', 'character varying', 64, 'NO', null],
      ['finished_at', 'timestamp with time zone', null, 'YES', null],
      ['migration_name', 'character varying', 255, 'NO', null],
      ['logs', 'text', null, 'YES', null],
      ['rolled_back_at', 'timestamp with time zone', null, 'YES', null],
      ['started_at', 'timestamp with time zone', null, 'NO', 'now()'],
      ['applied_steps_count', 'integer', null, 'NO', '0'],
    ]);
    const primaryKey = await query(
      url,
      `SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
       WHERE i.indrelid = '_prisma_migrations'::regclass AND i.indisprimary`,
    );
    expect(primaryKey).toEqual([{ attname: 'id' }]);
    const [row] = await query(url, 'SELECT * FROM _prisma_migrations');
    expect(row).toMatchObject({
      migration_name: INIT,
      checksum: sha256OfFile(join(migrationsDir, 'postgresql', INIT, 'migration.sql')),
      logs: null,
      rolled_back_at: null,
      applied_steps_count: 1,
    });
    expect(row?.finished_at).toBeInstanceOf(Date);
  });

  it('refuses to start when an applied migration file was changed, naming the migration', async () => {
    const url = await database();
    const root = copyOfMigrations();
    await applyMigrations(url, root, silent);
    const file = join(root, 'postgresql', INIT, 'migration.sql');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"username" TEXT', '"username" VARCHAR(64)'));

    await expect(applyMigrations(url, root, silent)).rejects.toThrow(new RegExp(`Migration ${INIT} was modified after it was applied`));
  });

  it('rolls back a failing migration and reports its name and the database error', async () => {
    const url = await database();
    const root = copyOfMigrations();
    addMigration(root, 'postgresql', `${FIXTURE_DATE}_broken`, 'CREATE TABLE "Half" ("id" TEXT);\nINSERT INTO "Missing" VALUES (1);\n');

    await expect(applyMigrations(url, root, silent)).rejects.toThrow(
      new RegExp(`Migration ${FIXTURE_DATE}_broken failed and was rolled back: relation "Missing" does not exist`),
    );
    expect(await query(url, `SELECT to_regclass('"Half"') AS half`)).toEqual([{ half: null }]);
    expect(await query(url, 'SELECT migration_name FROM _prisma_migrations')).toEqual(COMMITTED.map((migration_name) => ({ migration_name })));
  });

  it('applies each migration once when several processes start at the same time', async () => {
    const url = await database();
    const root = copyOfMigrations();
    // A slow second migration keeps the lock held long enough for the others to queue behind it.
    addMigration(root, 'postgresql', `${FIXTURE_DATE}_slow`, 'SELECT pg_sleep(0.3);\nCREATE TABLE "Slow" ("id" TEXT);\n');

    const results = await Promise.all([
      applyInChildProcess(url, root),
      applyInChildProcess(url, root),
      ...Array.from({ length: 4 }, () => applyMigrations(url, root, silent)),
    ]);

    expectEachAppliedOnce(results, [...COMMITTED, `${FIXTURE_DATE}_slow`]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM _prisma_migrations')).toEqual([{ n: COMMITTED.length + 1 }]);
  });
});
