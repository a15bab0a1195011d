// The Socket.IO peer server as a process, configured like Parley's (PORT, HOST, DATABASE_URL, REDIS_URL,
// REDIS_PREFIX), and announcing itself with the same JSON line: {"url":"http://…"}.
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@parley/api/db/migrate';
import { pino } from 'pino';
import { createPeerServer } from './peerServer.ts';
import type { PeerStore } from './peerStore.ts';
import { createPostgresPeerStore } from './postgresPeerStore.ts';
import { createSqlitePeerStore } from './sqlitePeerStore.ts';

const migrationsDir = fileURLToPath(new URL('../../../../prisma/migrations', import.meta.url));

async function main(): Promise<void> {
  const env = process.env;
  const databaseUrl = env.DATABASE_URL ?? 'file:./data/socketio-peer.db';
  const logger = pino({ level: env.LOG_LEVEL ?? 'info' });
  // Parley's tables, created by Parley's own migrator: the same schema, indexes and constraints.
  await applyMigrations(databaseUrl, migrationsDir, logger);
  const store: PeerStore = /^postgres(ql)?:\/\//i.test(databaseUrl)
    ? await createPostgresPeerStore(databaseUrl, Number(env.DATABASE_POOL_SIZE ?? 10))
    : await createSqlitePeerStore(databaseUrl);
  const server = createPeerServer({
    store,
    ...(env.REDIS_URL ? { redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX ?? 'parley-peer:' } } : {}),
    onError: (err, event) => logger.error({ err, event }, 'peer handler failed'),
  });
  const url = await server.listen(Number(env.PORT ?? 3100), env.HOST ?? '127.0.0.1');
  logger.info({ url, pid: process.pid, database: databaseUrl.split(':')[0], redis: Boolean(env.REDIS_URL) }, 'Socket.IO peer listening');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 5000).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
