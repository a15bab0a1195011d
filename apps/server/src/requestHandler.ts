import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter, createContext } from '@parley/api';
import type { Config } from './config.ts';
import { createFileRoutes } from './fileRoutes.ts';
import { checkHealth } from './health.ts';
import { httpCaller } from './httpCaller.ts';
import { createStaticHandler, sendJson } from './httpRoutes.ts';
import { createHttpSubscriptionCheck, sendSubscriptionOverHttpRefused } from './httpSubscriptions.ts';
import type { createMetricsAccess } from './metricsAccess.ts';
import type { RecordRefusal } from './refusals.ts';
import { createSecurityHeaders } from './securityHeaders.ts';
import type { ProcedureErrorHandler } from './procedureErrors.ts';
import type { ParleyServices } from './services.ts';

/** Plain HTTP: tRPC under `trpcPath`, /healthz, /readyz, /metrics, then the built web app (or 404). */
export function createRequestHandler(options: {
  services: Pick<ParleyServices, 'deps' | 'database' | 'bus' | 'hasRedis'>;
  config: Config;
  trpcPath: string;
  isAllowedOrigin: (origin: string) => boolean;
  isAccepting: () => boolean;
  onError: ProcedureErrorHandler;
  metricsAccess: ReturnType<typeof createMetricsAccess>;
  recordRefusal: RecordRefusal;
  addressOf: (req: IncomingMessage) => string;
}): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  const { services, config, trpcPath, isAllowedOrigin, isAccepting, metricsAccess, recordRefusal, addressOf } = options;
  const { deps, database, bus, hasRedis } = services;
  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: `${trpcPath}/`,
    maxBodySize: config.wsMaxPayloadBytes,
    maxBatchSize: config.maxBatchSize,
    onError: options.onError,
    createContext: async ({ req, res }) => createContext(deps, await httpCaller(deps, req, isAllowedOrigin), { kind: 'http', req, res }),
  });
  const serveStatic = createStaticHandler(config.staticDir);
  const securityHeaders = createSecurityHeaders({ trustProxy: config.trustProxy });
  const findHttpSubscription = createHttpSubscriptionCheck(appRouter, `${trpcPath}/`);
  const files = createFileRoutes(deps, isAllowedOrigin);

  return async (req, res) => {
    securityHeaders(req, res);
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === trpcPath || pathname.startsWith(`${trpcPath}/`)) {
      if (!isAccepting()) return sendJson(res, 503, { error: 'Server is shutting down; retry' });
      const subscription = findHttpSubscription(req.url ?? '/');
      if (subscription) {
        recordRefusal('http_subscription', addressOf(req), { path: subscription.slice(0, 100) });
        return sendSubscriptionOverHttpRefused(res, subscription);
      }
      return trpcHttp(req, res);
    }
    // Liveness only: what answers and what does not is for /readyz and /metrics.
    if (pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
    if (pathname === '/readyz') {
      const health = await checkHealth(database, bus, hasRedis);
      const ready = isAccepting() && health.database && health.redis !== false;
      return sendJson(res, ready ? 200 : 503, { ready, draining: !isAccepting(), ...health });
    }
    if (pathname === '/metrics') return metricsAccess.servePublic(req, res, addressOf(req));
    if (pathname === '/uploads') {
      // Shaped like the route's own refusals, which clients show as they are.
      if (!isAccepting()) return sendJson(res, 503, { error: { code: 'SERVICE_UNAVAILABLE', message: 'Server is shutting down; retry' } });
      return files.upload(req, res);
    }
    if (pathname.startsWith('/files/')) return files.fetchFile(req, res, pathname);
    if (serveStatic && (req.method === 'GET' || req.method === 'HEAD')) return serveStatic(req, res);
    sendJson(res, 404, { error: 'Not Found' });
  };
}
