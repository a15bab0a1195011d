import type { IncomingMessage } from 'node:http';
import { TRPCError } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { appRouter, createContext, validateSessionToken, type Caller, type Deps } from '@parley/api';
import type { Config } from './config.ts';
import type { SessionSocketRegistry } from './sessionSocketRegistry.ts';
import { ANONYMOUS } from './upgrade.ts';
import { createFanOutEncoder } from './wsEncoder.ts';

export const TOO_MANY_SOCKETS_CLOSE_CODE = 4429;

type OnError = NonNullable<Parameters<typeof applyWSSHandler>[0]['onError']>;

/** The WebSocket side of the server: tRPC on `ws`, with per-user and per-socket limits. */
export function createWsServer(options: {
  deps: Deps;
  config: Config;
  logger: Logger;
  registry: SessionSocketRegistry;
  /** Callers the upgrade handler resolved from the session cookie. */
  upgradeCallers: WeakMap<IncomingMessage, Caller>;
  onError: OnError;
}) {
  const { deps, config, logger, registry } = options;
  // maxPayload: a frame over it closes the socket with 1009 before it is buffered whole.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.wsMaxPayloadBytes });
  wss.on('connection', (socket) => boundSendBuffer(socket, config.maxSocketBufferBytes, logger));

  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    experimental_encoder: createFanOutEncoder(),
    onError: options.onError,
    createContext: async ({ req, res: socket, info }) => {
      let caller = options.upgradeCallers.get(req) ?? ANONYMOUS;
      const token = info.connectionParams?.token;
      if (token) {
        const valid = await validateSessionToken(deps, token);
        if (!valid) refuse(socket, 4401, 'UNAUTHORIZED', 'Invalid or expired session token');
        caller = valid;
      }
      if (caller.user && caller.session) {
        if (registry.socketsOfUser(caller.user.id) >= config.maxSocketsPerUser) {
          refuse(socket, TOO_MANY_SOCKETS_CLOSE_CODE, 'TOO_MANY_REQUESTS', `At most ${config.maxSocketsPerUser} connections per user`);
        }
        registry.add(caller.session.id, caller.user.id, socket);
      }
      return createContext(deps, caller, { kind: 'ws', req, socket, connection: { subscriptions: 0 } });
    },
  });
  return { wss, broadcastReconnectNotification: handler.broadcastReconnectNotification };
}

/**
 * Throws so that tRPC sends the error to the client (which then backs off before reconnecting); the close,
 * with a code and reason, runs after tRPC sent it and before tRPC's own reasonless close.
 */
function refuse(socket: WebSocket, closeCode: number, code: 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS', message: string): never {
  setImmediate(() => socket.close(closeCode, message));
  throw new TRPCError({ code, message });
}

/**
 * tRPC writes replies with `socket.send` and never looks at the backlog, so a client that stops reading
 * would make the server buffer without end. Past the bound the socket is dropped (a close frame would
 * queue behind the backlog); the client reconnects and resumes from its last event id.
 */
function boundSendBuffer(socket: WebSocket, maxBytes: number, logger: Logger): void {
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  socket.send = ((...args: unknown[]) => {
    send(...args);
    if (socket.bufferedAmount > maxBytes) {
      logger.warn({ bufferedBytes: socket.bufferedAmount, maxBytes }, 'dropping a socket that stopped reading');
      socket.terminate();
    }
  }) as WebSocket['send'];
}
