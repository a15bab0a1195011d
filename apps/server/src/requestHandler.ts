import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter, createContext } from '@parley/api';
import type { Config } from './config.ts';
import { checkHealth } from './health.ts';
import { httpCaller } from './httpCaller.ts';
import { createStaticHandler, sendJson } from './httpRoutes.ts';
import type { ProcedureErrorHandler } from './procedureErrors.ts';
import type { ParleyServices } from './services.ts';

/** Plain HTTP: tRPC under `trpcPath`, /healthz, /readyz, /metrics, then the built web app (or 404). */
export function createRequestHandler(options: {
  services: Pick<ParleyServices, 'deps' | 'database' | 'bus' | 'hasRedis' | 'metrics'>;
  config: Config;
  trpcPath: string;
  isAllowedOrigin: (origin: string) => boolean;
  isAccepting: () => boolean;
  onError: ProcedureErrorHandler;
}): (req: IncomingMessage, res: ServerResponse) => Promise<unknown> {
  const { services, config, trpcPath, isAllowedOrigin, isAccepting } = options;
  const { deps, database, bus, hasRedis, metrics } = services;
  const trpcHttp = createHTTPHandler({
    router: appRouter,
    basePath: `${trpcPath}/`,
    maxBodySize: config.wsMaxPayloadBytes,
    onError: options.onError,
    createContext: async ({ req, res }) => createContext(deps, await httpCaller(deps, req, isAllowedOrigin), { kind: 'http', req, res }),
  });
  const serveStatic = createStaticHandler(config.staticDir);

  return async (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === trpcPath || pathname.startsWith(`${trpcPath}/`)) {
      if (!isAccepting()) return sendJson(res, 503, { error: 'Server is shutting down; retry' });
      return trpcHttp(req, res);
    }
    if (pathname === '/healthz') {
      return sendJson(res, 200, { status: 'ok', ...(await checkHealth(database, bus, hasRedis)) });
    }
    if (pathname === '/readyz') {
      const health = await checkHealth(database, bus, hasRedis);
      const ready = isAccepting() && health.database && health.redis !== false;
      return sendJson(res, ready ? 200 : 503, { ready, draining: !isAccepting(), ...health });
    }
    if (pathname === '/metrics') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      return res.end(await metrics.registry.metrics());
    }
    if (serveStatic && (req.method === 'GET' || req.method === 'HEAD')) return serveStatic(req, res);
    sendJson(res, 404, { error: 'Not Found' });
  };
}
