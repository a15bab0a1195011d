/**
 * Writes one new migration for both providers from a change to prisma/schema.prisma:
 *
 *   pnpm db:migration add_user_bio [--from OLD_SCHEMA] [--schema prisma/schema.prisma] [--migrations prisma/migrations]
 *
 * The SQL comes from `prisma migrate diff --from-schema-datamodel OLD --to-schema-datamodel NEW`, the
 * one diff that works here: diffing from a database or from the migrations needs a shadow database or
 * introspection, which Prisma's pg driver adapter cannot do yet (prisma#27403). OLD is the
 * schema the committed migrations produce, by default schema.prisma as of git HEAD, so run this before
 * committing the schema change. See README ("Database migrations").
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { toSqliteSchema } from '../prisma/sqliteSchema.mjs';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
/** The CLI's driver adapter opens a connection even for a datamodel-only diff; nothing is written there. */
const DEFAULT_POSTGRES_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
const PROVIDERS = [
  { name: 'postgresql', toSchema: (source: string) => source },
  { name: 'sqlite', toSchema: toSqliteSchema },
] as const;
const USAGE = `usage: pnpm db:migration <name> [--from OLD_SCHEMA] [--schema SCHEMA] [--migrations DIR] [--postgres-url URL]

  <name>        what the change does, in snake_case (add_user_bio)
  --from        the schema the existing migrations produce (default: SCHEMA as of git HEAD)
  --schema      the changed schema (default prisma/schema.prisma)
  --migrations  where to write <provider>/<timestamp>_<name>/migration.sql (default prisma/migrations)
  --postgres-url  a PostgreSQL server the CLI can connect to (default ${DEFAULT_POSTGRES_URL})`;

class UsageError extends Error {}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, schema: { type: 'string' }, migrations: { type: 'string' }, 'postgres-url': { type: 'string' } },
  });
  const name = positionals[0];
  if (positionals.length !== 1 || name === undefined || !/^[a-z0-9]+(_[a-z0-9]+)*$/.test(name)) {
    throw new UsageError(`give one migration name in snake_case\n\n${USAGE}`);
  }
  const schemaPath = resolve(values.schema ?? join(repoRoot, 'prisma/schema.prisma'));
  const migrationsRoot = resolve(values.migrations ?? join(repoRoot, 'prisma/migrations'));
  const oldSchema = values.from === undefined ? schemaAtHead(schemaPath) : readFileSync(values.from, 'utf8');
  const newSchema = readFileSync(schemaPath, 'utf8');
  const postgresUrl = values['postgres-url'] ?? DEFAULT_POSTGRES_URL;

  const folder = `${timestamp(new Date())}_${name}`;
  assertAfterExisting(migrationsRoot, folder);
  const scripts = PROVIDERS.map((provider) => ({
    provider: provider.name,
    sql: diff(provider.toSchema(oldSchema), provider.toSchema(newSchema), provider.name, postgresUrl),
  }));
  if (scripts.every((script) => isEmptyMigration(script.sql))) {
    throw new UsageError(
      `${relative(process.cwd(), schemaPath)} has no change against the existing migrations' schema, so there is ` +
        'nothing to migrate: edit the schema first (if the change is already committed, pass --from with the older schema)',
    );
  }
  for (const { provider, sql } of scripts) {
    const dir = join(migrationsRoot, provider, folder);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'migration.sql'), sql);
    console.log(`wrote ${relative(process.cwd(), join(dir, 'migration.sql'))}`);
  }
}

function schemaAtHead(schemaPath: string): string {
  const inRepo = relative(repoRoot, schemaPath).split('\\').join('/');
  try {
    return execFileSync('git', ['show', `HEAD:${inRepo}`], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
  } catch {
    throw new UsageError(`cannot read ${inRepo} at git HEAD: pass --from with the schema the migrations produce`);
  }
}

/** Migration folders sort by name, so a new one must sort after every existing one. */
function assertAfterExisting(migrationsRoot: string, folder: string): void {
  for (const { name: provider } of PROVIDERS) {
    const dir = join(migrationsRoot, provider);
    const existing = existsSync(dir) ? readdirSync(dir).filter((entry) => /^\d{14}_/.test(entry)) : [];
    const newest = existing.sort().at(-1);
    if (newest !== undefined && newest >= folder) {
      throw new UsageError(`${provider}/${newest} would sort after the new ${folder}: check the clock, or rename`);
    }
  }
}

function diff(oldSchema: string, newSchema: string, provider: string, postgresUrl: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-migration-'));
  // prisma.config.ts picks the provider from DATABASE_URL.
  const url = provider === 'postgresql' ? postgresUrl : `file:${join(dir, 'unused.db')}`;
  try {
    writeFileSync(join(dir, 'old.prisma'), oldSchema);
    writeFileSync(join(dir, 'new.prisma'), newSchema);
    const args = ['exec', 'prisma', 'migrate', 'diff', '--config', join(repoRoot, 'prisma/prisma.config.ts')];
    args.push('--from-schema-datamodel', join(dir, 'old.prisma'), '--to-schema-datamodel', join(dir, 'new.prisma'), '--script');
    return execFileSync('pnpm', args, {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prisma renders "no difference" as a script of comments only. */
function isEmptyMigration(sql: string): boolean {
  return sql.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
}

/** Prisma Migrate's folder prefix: UTC yyyyMMddHHmmss. */
function timestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

try {
  main();
} catch (error) {
  console.error(`db:migration: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
