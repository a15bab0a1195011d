import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { createMetricsAccess } from './metricsAccess.ts';
import type { ParleyServices } from './services.ts';
import { waitUntil } from './waitUntil.ts';
import type { createWsServer } from './wsServer.ts';

/**
 * Drains a server that has stopped accepting: tells clients to reconnect (to another process), lets
 * mutations under way finish, then closes sockets, the bus and the database.
 */
export async function drainServer(options: {
  config: Pick<Config, 'shutdownTimeoutMs'>;
  logger: Logger;
  server: Server;
  ws: ReturnType<typeof createWsServer>;
  services: ParleyServices;
  metricsAccess: Pick<ReturnType<typeof createMetricsAccess>, 'close'>;
}): Promise<void> {
  const { logger, server, ws, services } = options;
  const { deps, socketAdmission, announcer, presence, bus, database } = services;
  services.stopSessionUpkeep();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  ws.broadcastReconnectNotification();
  const budget = options.config.shutdownTimeoutMs / 2;
  await waitUntil(async () => ws.wss.clients.size === 0, Math.min(budget, 3000));
  // Sends that were under way (or arrived on a socket before it moved) are stored before we close.
  if (!(await deps.inFlight.idle(budget))) logger.warn({ inFlight: deps.inFlight.count }, 'closing with calls still under way');
  for (const client of ws.wss.clients) client.terminate();
  server.closeAllConnections();
  await closed;
  await options.metricsAccess.close();
  // Before the bus closes: going offline is announced through it, and presence shares its connection.
  await socketAdmission.settled();
  announcer.announce(await presence.close(), { isImmediate: true });
  await announcer.flush();
  await bus.close();
  await database.close();
}
