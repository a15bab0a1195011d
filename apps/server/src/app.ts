import { randomUUID } from 'node:crypto';
import { newTimeOrderedId } from '@parley/api/ids';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { appRouter, createContext, readSessionCookie, systemClock, validateSessionToken, type Caller, type Deps } from '@parley/api';
import { touchSessionsInUse } from '@parley/api/auth/session';
import { createMemoryEventBus } from '@parley/api/bus/memoryEventBus';
import { createRedisEventBus } from '@parley/api/bus/redisEventBus';
import { createDatabase } from '@parley/api/db/createDatabase';
import { createBatchedAppender } from '@parley/api/db/hotPath';
import { applyMigrations } from '@parley/api/db/migrate';
import { InFlight } from '@parley/api/inFlight';
import { createRateLimits } from '@parley/api/limits/rateLimits';
import { createMetrics } from '@parley/api/metrics/metrics';
import { createMemoryPresence } from '@parley/api/presence/memoryPresence';
import { createPresenceAnnouncer } from '@parley/api/presence/presenceAnnouncer';
import { createRedisPresence } from '@parley/api/presence/redisPresence';
import { defaultAllowedOrigins, type Config } from './config.ts';
import { checkHealth } from './health.ts';
import { createStaticHandler, sendJson } from './httpRoutes.ts';
import { connectRedis, type RedisRole } from './redisConnections.ts';
import { SessionSocketRegistry } from './sessionSocketRegistry.ts';
import { createSocketAdmission } from './socketAdmission.ts';
import { ANONYMOUS, createUpgradeHandler } from './upgrade.ts';
import { createWsServer } from './wsServer.ts';

const TRPC_PATH = '/trpc';

export interface ParleyOptions {
  config: Config;
  logger: Logger;
  migrationsDir: string;
  /** Tests pass ioredis-mock here; production connects to config.redisUrl. */
  createRedis?: (role: RedisRole) => Redis;
}

export interface Parley {
  deps: Deps;
  server: Server;
  /** The WebSocket server (its `clients` are the open sockets). */
  wss: WebSocketServer;
  /** Resolves with the URL it listens on (the port may have been 0). */
  listen(): Promise<string>;
  /**
   * Drains: stops taking sockets and requests, tells clients to reconnect (to another process), lets
   * mutations under way finish, then closes sockets, the bus and the database.
   */
  shutdown(): Promise<void>;
}

/** Builds Parley from checked config: database (migrated), bus, tRPC over HTTP and WebSocket on one server. */
export async function createParley(options: ParleyOptions): Promise<Parley> {
  const { config, logger } = options;
  await applyMigrations(config.databaseUrl, options.migrationsDir, logger);
  const database = await createDatabase(config.databaseUrl, { poolSize: config.databasePoolSize, logger: logger.child({ component: 'db' }) });
  const registry = new SessionSocketRegistry();
  let openSockets = () => 0;
  const metrics = createMetrics({ openSockets: () => openSockets() });

  const redis = config.redisUrl ? connectRedis(config.redisUrl, options.createRedis) : null;
  const bus = redis
    ? createRedisEventBus({
        ...redis,
        prefix: config.redisPrefix,
        logger: logger.child({ component: 'bus' }),
        onReconnect: () => metrics.busReconnects.inc(),
      })
    : createMemoryEventBus();
  if (redis && !(await waitUntil(() => bus.isHealthy(), 5000))) {
    logger.warn('redis does not answer yet; starting anyway (readyz says not ready until it does)');
  }
  // Shared by the cluster with Redis, like the bus: a user is online while any process holds a socket of theirs.
  const presence = redis
    ? createRedisPresence({
        client: redis.publisher,
        prefix: config.redisPrefix,
        processId: randomUUID(),
        logger,
        heartbeatMs: config.presence.heartbeatMs,
        timeoutMs: config.presence.timeoutMs,
      })
    : createMemoryPresence(systemClock);

  const deps: Deps = {
    db: database.db,
    dbProvider: database.provider,
    hotPath: database.hotPath,
    appendMessage: createBatchedAppender((batch) => database.hotPath.appendMessages(batch)),
    bus,
    clock: systemClock,
    newId: newTimeOrderedId,
    logger,
    config: { cookieSecure: config.cookieSecure, trustProxy: config.trustProxy, maxSubscriptionsPerSocket: config.maxSubscriptionsPerSocket },
    rateLimits: createRateLimits(config.rateLimits, redis ? { client: redis.publisher, prefix: config.redisPrefix } : undefined),
    presence,
    metrics,
    inFlight: new InFlight(),
    sessionSockets: {
      async revoke(sessionIds, reason) {
        registry.closeSessions(sessionIds, reason);
        // Other processes may hold sockets of these sessions too.
        await bus.publishSessionsEnded(sessionIds).catch((err: unknown) => {
          logger.warn({ err }, 'could not announce ended sessions; other processes close them at their next sweep');
        });
      },
    },
  };
  const announcer = createPresenceAnnouncer(deps, presence, { offlineGraceMs: config.presence.offlineGraceMs });
  // Changes found in the background (a dead process's users) are long settled: no grace.
  await presence.start((changes) => announcer.announce(changes, { isImmediate: true }));
  const socketAdmission = createSocketAdmission({ presence, announcer, maxSocketsPerUser: config.maxSocketsPerUser });
  const stopListeningForEndedSessions = bus.onSessionsEnded((ids) => registry.closeSessions(ids, 'session ended'));
  const sweep = setInterval(() => {
    touchSessionsInUse(deps, registry.sessionIds()).then(
      (ended) => registry.closeSessions(ended, 'session ended'),
      (err: unknown) => logger.warn({ err }, 'session sweep failed'),
    );
  }, config.sessionSweepMs);
  sweep.unref();

  let accepting = true;
  let allowedOrigins = new Set(config.allowedOrigins ?? []);
  const isAllowedOrigin = (origin: string) => allowedOrigins.has(origin);

  const onError = ({ error, path, type }: { error: TRPCError; path?: string | undefined; type: string }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') logger.error({ err: error.cause ?? error, path, type }, 'procedure failed');
    else logger.info({ code: error.code, path, type, reason: error.message.slice(0, 200) }, 'procedure refused');
    if (error.code === 'TOO_MANY_REQUESTS') metrics.rateLimited.inc({ limit: path ?? 'connection' });
  };

  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PATH}/`,
    maxBodySize: config.wsMaxPayloadBytes,
    onError,
    createContext: async ({ req, res }) => createContext(deps, await httpCaller(deps, req, isAllowedOrigin), { kind: 'http', req, res }),
  });
  const serveStatic = createStaticHandler(config.staticDir);

  const server = createServer(async (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === TRPC_PATH || pathname.startsWith(`${TRPC_PATH}/`)) {
      if (!accepting) return sendJson(res, 503, { error: 'Server is shutting down; retry' });
      return trpcHttp(req, res);
    }
    if (pathname === '/healthz') {
      return sendJson(res, 200, { status: 'ok', ...(await checkHealth(database, bus, Boolean(redis))) });
    }
    if (pathname === '/readyz') {
      const health = await checkHealth(database, bus, Boolean(redis));
      const ready = accepting && health.database && health.redis !== false;
      return sendJson(res, ready ? 200 : 503, { ready, draining: !accepting, ...health });
    }
    if (pathname === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return res.end(await metrics.registry.metrics());
    }
    if (serveStatic && (req.method === 'GET' || req.method === 'HEAD')) return serveStatic(req, res);
    sendJson(res, 404, { error: 'Not Found' });
  });

  const upgradeCallers = new WeakMap<IncomingMessage, Caller>();
  const ws = createWsServer({ deps, config, logger, registry, upgradeCallers, onError, socketAdmission });
  openSockets = () => ws.wss.clients.size;
  server.on(
    'upgrade',
    createUpgradeHandler({
      deps,
      wss: ws.wss,
      path: TRPC_PATH,
      isAllowedOrigin,
      callers: upgradeCallers,
      logger,
      isAccepting: () => accepting,
    }),
  );

  return {
    deps,
    server,
    wss: ws.wss,
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      const { port } = server.address() as AddressInfo;
      if (!config.allowedOrigins) allowedOrigins = new Set(defaultAllowedOrigins(port));
      const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return `http://${shownHost}:${port}`;
    },
    async shutdown() {
      accepting = false;
      clearInterval(sweep);
      stopListeningForEndedSessions();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      ws.broadcastReconnectNotification();
      const budget = config.shutdownTimeoutMs / 2;
      await waitUntil(async () => ws.wss.clients.size === 0, Math.min(budget, 3000));
      // Sends that were under way (or arrived on a socket before it moved) are stored before we close.
      if (!(await deps.inFlight.idle(budget))) logger.warn({ inFlight: deps.inFlight.count }, 'closing with calls still under way');
      for (const client of ws.wss.clients) client.terminate();
      server.closeAllConnections();
      await closed;
      // Before the bus closes: going offline is announced through it, and presence shares its connection.
      await socketAdmission.settled();
      announcer.announce(await presence.close(), { isImmediate: true });
      await announcer.flush();
      await bus.close();
      await database.close();
    },
  };
}

/** HTTP callers authenticate with a bearer token, or the session cookie when the Origin (if any) is allowed. */
async function httpCaller(deps: Deps, req: IncomingMessage, isAllowedOrigin: (o: string) => boolean): Promise<Caller> {
  const authorization = req.headers.authorization;
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : null;
  const origin = req.headers.origin;
  const token = bearer ?? (origin === undefined || isAllowedOrigin(origin) ? readSessionCookie(req.headers.cookie) : null);
  if (!token) return ANONYMOUS;
  return (await validateSessionToken(deps, token)) ?? ANONYMOUS;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
