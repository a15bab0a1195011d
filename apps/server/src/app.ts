import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import {
  appRouter,
  createContext,
  readSessionCookie,
  systemClock,
  validateSessionToken,
  type Caller,
  type Deps,
  type EventBus,
} from '@parley/api';
import { touchSessionsInUse } from '@parley/api/auth/session';
import { createDatabase } from '@parley/api/db/createDatabase';
import { applyMigrations } from '@parley/api/db/migrate';
import { createMemoryEventBus } from '@parley/api/bus/memoryEventBus';
import { createRedisEventBus } from '@parley/api/bus/redisEventBus';
import { defaultAllowedOrigins, type Config } from './config.ts';
import { checkHealth } from './health.ts';
import { createStaticHandler, sendJson } from './httpRoutes.ts';
import { SessionSocketRegistry } from './sessionSocketRegistry.ts';
import { ANONYMOUS, createUpgradeHandler } from './upgrade.ts';

export const TRPC_PATH = '/trpc';

export interface ParleyOptions {
  config: Config;
  logger: Logger;
  migrationsDir: string;
  /** Tests pass ioredis-mock here; production connects to config.redisUrl. */
  createRedis?: (role: 'publisher' | 'subscriber') => Redis;
}

export interface Parley {
  deps: Deps;
  server: Server;
  /** The WebSocket server (its `clients` are the open sockets). */
  wss: WebSocketServer;
  /** Resolves with the URL it listens on (the port may have been 0). */
  listen(): Promise<string>;
  /** Stops taking sockets, tells clients to reconnect elsewhere, then closes everything. */
  shutdown(): Promise<void>;
}

/** Builds Parley from checked config: database (migrated), bus, tRPC over HTTP and WebSocket on one server. */
export async function createParley(options: ParleyOptions): Promise<Parley> {
  const { config, logger } = options;
  const applied = await applyMigrations(config.databaseUrl, options.migrationsDir, logger);
  if (applied.applied.length) logger.info({ migrations: applied.applied }, 'applied migrations');
  const database = await createDatabase(config.databaseUrl, { poolSize: config.databasePoolSize });
  const bus = createBus(options);
  if (config.redisUrl && !(await waitUntil(() => bus.isHealthy(), 5000))) {
    logger.warn('redis does not answer yet; starting anyway (readyz says not ready until it does)');
  }

  const registry = new SessionSocketRegistry();
  const deps: Deps = {
    db: database.db,
    dbProvider: database.provider,
    bus,
    clock: systemClock,
    newId: randomUUID,
    logger,
    config: { cookieSecure: config.cookieSecure },
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
  };

  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PATH}/`,
    onError,
    createContext: async ({ req, res }) => createContext(deps, await httpCaller(deps, req, isAllowedOrigin), { kind: 'http', req, res }),
  });
  const serveStatic = createStaticHandler(config.staticDir);

  const server = createServer(async (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === TRPC_PATH || pathname.startsWith(`${TRPC_PATH}/`)) return trpcHttp(req, res);
    if (pathname === '/healthz') {
      const health = await checkHealth(database, bus, Boolean(config.redisUrl));
      return sendJson(res, 200, { status: 'ok', ...health });
    }
    if (pathname === '/readyz') {
      const health = await checkHealth(database, bus, Boolean(config.redisUrl));
      const ready = accepting && health.database && health.redis !== false;
      return sendJson(res, ready ? 200 : 503, { ready, draining: !accepting, ...health });
    }
    if (serveStatic && (req.method === 'GET' || req.method === 'HEAD')) return serveStatic(req, res);
    sendJson(res, 404, { error: 'Not Found' });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const upgradeCallers = new WeakMap<IncomingMessage, Caller>();
  const wsHandler = applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    onError,
    createContext: async ({ req, res: socket, info }) => {
      let caller = upgradeCallers.get(req) ?? ANONYMOUS;
      const token = info.connectionParams?.token;
      if (token) {
        const valid = await validateSessionToken(deps, token);
        if (!valid) {
          // Runs after tRPC has sent this error to the client (which then backs off), before tRPC's own close.
          setImmediate(() => socket.close(4401, 'Invalid or expired session token'));
          throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid or expired session token' });
        }
        caller = valid;
      }
      if (caller.session) registry.add(caller.session.id, socket);
      return createContext(deps, caller, { kind: 'ws', req, socket });
    },
  });
  server.on(
    'upgrade',
    createUpgradeHandler({ deps, wss, path: TRPC_PATH, isAllowedOrigin, callers: upgradeCallers, logger, isAccepting: () => accepting }),
  );

  return {
    deps,
    server,
    wss,
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
      wsHandler.broadcastReconnectNotification();
      await waitForSocketsToLeave(wss, Math.min(config.shutdownTimeoutMs, 3000));
      for (const client of wss.clients) client.terminate();
      server.closeAllConnections();
      await closed;
      await bus.close();
      await database.close();
    },
  };
}

function createBus(options: ParleyOptions): EventBus {
  const { config, logger } = options;
  if (!config.redisUrl) return createMemoryEventBus();
  const url = config.redisUrl;
  const connect =
    options.createRedis ??
    ((role: 'publisher' | 'subscriber') => {
      const redisOptions: RedisOptions = {
        connectionName: `parley-${role}-${process.pid}`,
        // A publish while Redis is down fails at once instead of stalling message.send in the offline
        // queue: the message is stored, and subscribers re-read the database when the bus comes back.
        ...(role === 'publisher' ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : {}),
      };
      const redis = new Redis(url, redisOptions);
      redis.on('error', (err) => logger.warn({ err, role }, 'redis connection error'));
      return redis;
    });
  return createRedisEventBus({
    publisher: connect('publisher'),
    subscriber: connect('subscriber'),
    prefix: config.redisPrefix,
    logger: logger.child({ component: 'bus' }),
  });
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

async function waitForSocketsToLeave(wss: WebSocketServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (wss.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}
