import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import type { Caller, Deps } from '@parley/api';
import { defaultAllowedOrigins, type Config } from './config.ts';
import { clientAddressOf } from '@parley/api/auth/clientAddress';
import { SocketsPerAddress } from './anonymousSockets.ts';
import { httpServerOptions } from './httpTimeouts.ts';
import { createMetricsAccess } from './metricsAccess.ts';
import { createProcedureErrorLogger } from './procedureErrors.ts';
import { createRefusalRecorder } from './refusals.ts';
import type { RedisRole } from './redisConnections.ts';
import { createRequestHandler } from './requestHandler.ts';
import { createServices } from './services.ts';
import { drainServer } from './shutdown.ts';
import { createUpgradeHandler } from './upgrade.ts';
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
  const services = await createServices(options);
  const { deps } = services;

  let accepting = true;
  const isAccepting = () => accepting;
  let allowedOrigins = new Set(config.allowedOrigins ?? []);
  const isAllowedOrigin = (origin: string) => allowedOrigins.has(origin);
  const recordRefusal = createRefusalRecorder(logger, services.metrics);
  const addressOf = (req: IncomingMessage) => clientAddressOf(req, deps.config);
  const onError = createProcedureErrorLogger(logger, services.metrics, recordRefusal, addressOf);
  const metricsAccess = createMetricsAccess(config.metrics, services.metrics, recordRefusal);

  const server = createServer(
    httpServerOptions(config.http),
    createRequestHandler({ services, config, trpcPath: TRPC_PATH, isAllowedOrigin, isAccepting, onError, metricsAccess, recordRefusal, addressOf }),
  );

  const upgradeCallers = new WeakMap<IncomingMessage, Caller>();
  const { registry, socketAdmission } = services;
  const ws = createWsServer({ deps, config, logger, registry, upgradeCallers, onError, socketAdmission, recordRefusal });
  services.countOpenSocketsWith(() => ws.wss.clients.size);
  const socketsPerAddress = new SocketsPerAddress(config.maxSocketsPerAddress);
  const admit = (req: IncomingMessage, socket: Duplex) => {
    const address = addressOf(req);
    if (socketsPerAddress.tryAdmit(address, socket)) return true;
    recordRefusal('sockets_per_address', address, { max: config.maxSocketsPerAddress });
    return false;
  };
  server.on(
    'upgrade',
    createUpgradeHandler({ deps, wss: ws.wss, path: TRPC_PATH, isAllowedOrigin, callers: upgradeCallers, logger, isAccepting, admit }),
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
      const metricsUrl = await metricsAccess.listen();
      if (metricsUrl) logger.info({ url: `${metricsUrl}/metrics` }, 'metrics served on their own port');
      if (!config.allowedOrigins) allowedOrigins = new Set(defaultAllowedOrigins(port));
      const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      return `http://${shownHost}:${port}`;
    },
    async shutdown() {
      accepting = false;
      await drainServer({ config, logger, server, ws, services, metricsAccess });
    },
  };
}
