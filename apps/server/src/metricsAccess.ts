import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '@parley/api/metrics/metrics';
import { sendJson } from './httpRoutes.ts';
import type { RecordRefusal } from './refusals.ts';

export interface MetricsAccessConfig {
  /** Bearer token that unlocks /metrics on the public port; unset: the public port has no /metrics. */
  token: string | undefined;
  /** A port of its own for /metrics, without a token, on `host` (loopback unless configured). */
  port: number | undefined;
  host: string;
}

/**
 * /metrics tells whoever reads it how busy the server is and how it is built, so it is never public:
 * on the public port only with the configured bearer token, or on a separate (loopback) port.
 */
export function createMetricsAccess(config: MetricsAccessConfig, metrics: Pick<Metrics, 'registry'>, recordRefusal: RecordRefusal) {
  // Hashing first gives equal lengths, which timingSafeEqual needs, without revealing the token's length.
  const expected = config.token === undefined ? null : digest(config.token);
  const serve = async (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
    res.end(await metrics.registry.metrics());
  };
  const privateServer =
    config.port === undefined
      ? null
      : createServer((req, res) => {
          if ((req.url ?? '/').split('?')[0] === '/metrics' && req.method === 'GET') return void serve(res);
          sendJson(res, 404, { error: 'Not Found' });
        });

  return {
    /** Answers GET /metrics on the public port. */
    async servePublic(req: IncomingMessage, res: ServerResponse, clientAddress: string): Promise<void> {
      if (!expected) return sendJson(res, 404, { error: 'Not Found' });
      const authorization = req.headers.authorization;
      const presented = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
      if (!timingSafeEqual(digest(presented), expected)) {
        recordRefusal('metrics_unauthorized', clientAddress);
        res.setHeader('www-authenticate', 'Bearer realm="metrics"');
        return sendJson(res, 401, { error: 'A bearer token is required for /metrics' });
      }
      await serve(res);
    },
    /** Starts the separate metrics port, if configured; resolves with its URL. */
    async listen(): Promise<string | null> {
      if (!privateServer) return null;
      await new Promise<void>((resolve, reject) => {
        privateServer.once('error', reject);
        privateServer.listen(config.port, config.host, () => resolve());
      });
      const { port } = privateServer.address() as AddressInfo;
      return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async close(): Promise<void> {
      if (!privateServer?.listening) return;
      await new Promise<void>((resolve) => {
        privateServer.close(() => resolve());
        privateServer.closeAllConnections();
      });
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
