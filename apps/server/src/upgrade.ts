import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import { clientAddressOf, readSessionCookie, validateSessionToken, type Caller, type Deps } from '@parley/api';

export const ANONYMOUS: Caller = { user: null, session: null };

/**
 * Checks a WebSocket upgrade before accepting it, as Django Channels' AllowedHostsOriginValidator and
 * AuthMiddlewareStack do: a browser Origin must be allowed, and a session cookie (only trusted with an
 * allowed Origin) must be valid. Refusing here, with a plain HTTP answer, keeps clients from the tight
 * reconnect loop that a context throwing after the upgrade causes (trpc#4774).
 */
export function createUpgradeHandler(options: {
  deps: Pick<Deps, 'db' | 'clock' | 'hotPath' | 'config'>;
  wss: WebSocketServer;
  path: string;
  isAllowedOrigin: (origin: string) => boolean;
  callers: WeakMap<IncomingMessage, Caller>;
  logger: Logger;
  isAccepting: () => boolean;
  /** Counts the socket against its address (until it closes); false: refused with 429. */
  admit: (req: IncomingMessage, socket: Duplex) => boolean;
}) {
  const { deps, wss, logger, callers } = options;
  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => socket.destroy());
    try {
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (pathname !== options.path) return refuse(socket, 404, 'Not Found');
      if (!options.isAccepting()) return refuse(socket, 503, 'Service Unavailable');

      const origin = req.headers.origin;
      if (origin !== undefined && !options.isAllowedOrigin(origin)) {
        logger.warn({ origin, address: clientAddressOf(req, deps.config) }, 'websocket upgrade refused: origin not allowed');
        return refuse(socket, 403, 'Forbidden');
      }
      if (!options.admit(req, socket)) return refuse(socket, 429, 'Too Many Requests');
      // Without an Origin the caller is not a browser: it authenticates with connectionParams.token.
      const cookieToken = origin !== undefined ? readSessionCookie(req.headers.cookie) : null;
      let caller = ANONYMOUS;
      if (cookieToken) {
        const valid = await validateSessionToken(deps, cookieToken);
        if (!valid) {
          logger.info({ address: clientAddressOf(req, deps.config) }, 'websocket upgrade refused: session cookie not valid');
          return refuse(socket, 401, 'Unauthorized');
        }
        caller = valid;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        callers.set(req, caller);
        wss.emit('connection', ws, req);
      });
    } catch (error) {
      logger.error({ err: error }, 'websocket upgrade failed');
      refuse(socket, 500, 'Internal Server Error');
    }
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) return void socket.destroy();
  // As ws's own abortHandshake: end, then destroy once the answer is flushed.
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}
