// Derives the SQLite schema from prisma/schema.prisma and generates both Prisma clients.
// `--check` only verifies that the committed SQLite schema matches its source (used by CI).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toSqliteSchema } from './sqliteSchema.mjs';

const dir = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(dir, 'schema.prisma'), 'utf8');
const sqlite = toSqliteSchema(source);
const sqlitePath = join(dir, 'schema.sqlite.prisma');

if (process.argv.includes('--check')) {
  if (readFileSync(sqlitePath, 'utf8') !== sqlite) {
    console.error('prisma/schema.sqlite.prisma is stale: run `pnpm db:generate`');
    process.exit(1);
  }
  process.exit(0);
}
writeFileSync(sqlitePath, sqlite);

// The datasource url must resolve or the CLI tries to download a native engine; generate never connects.
for (const url of ['postgresql://localhost/parley', 'file:./unused.db']) {
  execFileSync('pnpm', ['exec', 'prisma', 'generate', '--config', join(dir, 'prisma.config.ts')], {
    stdio: 'inherit',
    cwd: join(dir, '..'),
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  });
}
