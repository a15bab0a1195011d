import { randomBytes } from 'node:crypto';
import pg from 'pg';

const POSTGRES_SERVER_URL = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh `parley_bench_<random>` database for one run; `drop()` removes it even with connections left. */
export async function createBenchPostgresDatabase(): Promise<BenchDatabase> {
  const name = `parley_bench_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  return {
    url: `${POSTGRES_SERVER_URL}/${name}`,
    drop: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES_SERVER_URL}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
