// Prisma CLI config (generate, migrate diff, db execute). The WASM schema engine (`engine: 'js'`) plus a
// driver adapter keeps the CLI from downloading a native engine, which these machines cannot do.
// The provider follows DATABASE_URL: postgres(ql):// picks PostgreSQL, anything else the embedded SQLite.
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaLibSQL } from '@prisma/adapter-libsql';

const url = process.env.DATABASE_URL ?? 'file:./data/parley.db';
const isPostgres = /^postgres(ql)?:\/\//.test(url);
const here = import.meta.dirname;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(here, isPostgres ? 'schema.prisma' : 'schema.sqlite.prisma'),
  migrations: { path: path.join(here, 'migrations', isPostgres ? 'postgresql' : 'sqlite') },
  async adapter() {
    return isPostgres ? new PrismaPg({ connectionString: url }) : new PrismaLibSQL({ url });
  },
});
