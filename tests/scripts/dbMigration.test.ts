import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@libsql/client';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../packages/api/src/db/migrate.ts';
import { migrationsDir, repoRoot } from '../helpers/paths.ts';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { makeTempDir } from '../helpers/tempDir.ts';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A temp copy of the schema (before and after a change) and of the committed migrations. */
function workspace(change: (schema: string) => string) {
  const dir = makeTempDir();
  cleanups.push(dir.remove);
  const before = readFileSync(join(repoRoot, 'prisma/schema.prisma'), 'utf8');
  writeFileSync(join(dir.path, 'before.prisma'), before);
  writeFileSync(join(dir.path, 'schema.prisma'), change(before));
  cpSync(migrationsDir, join(dir.path, 'migrations'), { recursive: true });
  return { dir: dir.path, migrations: join(dir.path, 'migrations') };
}

async function runScript(dir: string, name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['--import', 'tsx', 'scripts/dbMigration.ts', name];
  args.push('--from', join(dir, 'before.prisma'), '--schema', join(dir, 'schema.prisma'), '--migrations', join(dir, 'migrations'));
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: repoRoot });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function newMigration(migrations: string, provider: string): { name: string; sql: string } {
  const committed = new Set(readdirSync(join(migrationsDir, provider)));
  const added = readdirSync(join(migrations, provider)).filter((name) => !committed.has(name));
  expect(added).toHaveLength(1);
  const name = added[0] ?? '';
  return { name, sql: readFileSync(join(migrations, provider, name, 'migration.sql'), 'utf8') };
}

const addNickname = (schema: string) => schema.replace(/^(\s*passwordHash\s+String)$/m, '$1\n  nickname     String?');

describe('pnpm db:migration', () => {
  it('writes the same-named migration for both providers, which the server applies on SQLite and PostgreSQL', async () => {
    const { dir, migrations } = workspace(addNickname);

    const result = await runScript(dir, 'add_nickname');

    expect(result.code).toBe(0);
    const postgres = newMigration(migrations, 'postgresql');
    const sqlite = newMigration(migrations, 'sqlite');
    expect(postgres.name).toMatch(/^\d{14}_add_nickname$/);
    expect(sqlite.name).toBe(postgres.name);
    expect(postgres.sql).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT/);
    expect(sqlite.sql).toMatch(/ALTER TABLE "User" ADD COLUMN\s+"nickname" TEXT/);

    const sqliteUrl = `file:${join(dir, 'data', 'parley.db')}`;
    expect((await applyMigrations(sqliteUrl, migrations, silent)).applied.at(-1)).toBe(sqlite.name);
    const client = createClient({ url: sqliteUrl });
    const columns = (await client.execute('PRAGMA table_info("User")')).rows.map((row) => row.name);
    client.close();
    expect(columns).toContain('nickname');

    const database = await createTestPostgresDatabase();
    cleanups.push(database.drop);
    expect((await applyMigrations(database.url, migrations, silent)).applied.at(-1)).toBe(postgres.name);
    const pgClient = new pg.Client({ connectionString: database.url });
    await pgClient.connect();
    const { rows } = await pgClient.query(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'nickname'`,
    );
    await pgClient.end();
    expect(rows).toEqual([{ column_name: 'nickname' }]);
  });

  it('refuses to write an empty migration when the schema did not change', async () => {
    const { dir, migrations } = workspace((schema) => schema);

    const result = await runScript(dir, 'nothing');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/has no change against the existing migrations' schema/);
    for (const provider of ['sqlite', 'postgresql']) {
      expect(readdirSync(join(migrations, provider))).toEqual(readdirSync(join(migrationsDir, provider)));
    }
  });

  it('refuses a name that is not snake_case', async () => {
    const { dir } = workspace(addNickname);

    const result = await runScript(dir, 'Add Nickname');

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/snake_case/);
  });
});
