import type { IncomingMessage } from 'node:http';
import { TRPCError } from '@trpc/server';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { appRouter, createContext, validateSessionToken, type Caller, type Deps } from '@parley/api';
import { clientAddressOf } from '@parley/api/auth/clientAddress';
// The client stops reconnecting on this code, so a socket without a valid session is not retried only to be refused again.
import { SESSION_ENDED_CLOSE_CODE } from '@parley/client/closeCodes';
import { AuthDeadline } from './anonymousSockets.ts';
import type { Config } from './config.ts';
import type { RecordRefusal } from './refusals.ts';
import type { SessionSocketRegistry } from './sessionSocketRegistry.ts';
import type { SocketAdmission } from './socketAdmission.ts';
import { ANONYMOUS } from './upgrade.ts';
import { createFanOutEncoder } from './wsEncoder.ts';

const TOO_MANY_SOCKETS_CLOSE_CODE = 4429;

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
  socketAdmission: SocketAdmission;
  recordRefusal: RecordRefusal;
}) {
  const { deps, config, logger, registry } = options;
  const authDeadline = new AuthDeadline(config.wsAuthTimeoutMs, (socket) => {
    options.recordRefusal('socket_auth_timeout', addressOfSocket.get(socket) ?? 'unknown');
    socket.close(SESSION_ENDED_CLOSE_CODE, 'Authenticate within the time allowed (connectionParams token or session cookie)');
  });
  const addressOfSocket = new WeakMap<WebSocket, string>();
  // maxPayload: a frame over it closes the socket with 1009 before it is buffered whole.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.wsMaxPayloadBytes });
  wss.on('connection', (socket, req: IncomingMessage) => {
    wrapSend(socket, config.maxSocketBufferBytes, logger);
    addressOfSocket.set(socket, clientAddressOf(req, deps.config));
    if (!options.upgradeCallers.get(req)?.user) authDeadline.watch(socket);
  });

  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    maxBatchSize: config.wsMaxBatchSize,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
    experimental_encoder: createFanOutEncoder(),
    onError: options.onError,
    createContext: async ({ req, res: socket, info }) => {
      let caller = options.upgradeCallers.get(req) ?? ANONYMOUS;
      const token = info.connectionParams?.token;
      if (token) {
        const valid = await validateSessionToken(deps, token);
        if (!valid) refuse(socket, SESSION_ENDED_CLOSE_CODE, 'UNAUTHORIZED', 'Invalid or expired session token');
        caller = valid;
      }
      if (caller.user && caller.session) {
        authDeadline.authenticated(socket);
        // Counted in presence, across every process (with Redis), not in this process's registry.
        if (!(await options.socketAdmission.admit(caller.user.id, socket))) {
          refuse(socket, TOO_MANY_SOCKETS_CLOSE_CODE, 'TOO_MANY_REQUESTS', `At most ${config.maxSocketsPerUser} connections per user`);
        }
        registry.add(caller.session.id, socket);
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
 * tRPC writes each reply with its own `socket.send`. Two things are added around it:
 * - Frames sent in one tick (a fan-out, a catch-up page) are corked into one write to the kernel instead
 *   of one syscall each; the socket is uncorked on the next tick. (`_socket` is ws's TCP socket; ws has
 *   no public handle on it.)
 * - tRPC never looks at the backlog, so a client that stops reading would make the server buffer
 *   without end. Past the bound the socket is dropped (a close frame would queue behind the backlog);
 *   the client reconnects and resumes from its last event id.
 */
function wrapSend(socket: WebSocket, maxBytes: number, logger: Logger): void {
  const send = socket.send.bind(socket) as (...args: unknown[]) => void;
  const tcp = (socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    tcp?.uncork();
  };
  socket.send = ((...args: unknown[]) => {
    if (!corked && tcp) {
      corked = true;
      tcp.cork();
      process.nextTick(uncork);
    }
    send(...args);
    if (socket.bufferedAmount > maxBytes) {
      logger.warn({ bufferedBytes: socket.bufferedAmount, maxBytes }, 'dropping a socket that stopped reading');
      socket.terminate();
    }
  }) as WebSocket['send'];
}
