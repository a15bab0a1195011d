import { randomBytes } from 'node:crypto';
import pg from 'pg';

// Local PostgreSQL with trust auth (see the test setup notes); each test gets its own database.
const SERVER_URL = 'postgresql://postgres@127.0.0.1:5432';

/** Creates an empty database `parley_test_<random>`; `drop()` removes it even if connections remain. */
export async function createTestPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_test_${randomBytes(6).toString('hex')}`;
  await onServer(`CREATE DATABASE "${name}"`);
  return {
    url: `${SERVER_URL}/${name}`,
    drop: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${SERVER_URL}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
