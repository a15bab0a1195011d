import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server, type Socket } from 'socket.io';
import type { PeerStore } from './peerStore.ts';
import { SIGN_UP_PATH, threadRoom, type ClientToServerEvents, type PeerAck, type PeerUser, type ServerToClientEvents } from './protocol.ts';

type PeerSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { user: PeerUser }>;

export interface PeerServerOptions {
  store: PeerStore;
  /** With Redis, rooms span processes through @socket.io/redis-adapter; without, the in-memory adapter. */
  redis?: { url: string; prefix: string };
  onError?: (error: unknown, event: string) => void;
}

export interface PeerServer {
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The Socket.IO peer: a token-authenticated socket joins thread rooms after a membership check, and
 * `message:send` checks membership, stores the message, broadcasts it to the room and acknowledges —
 * the work Parley's message.send and thread.onMessage do.
 */
export function createPeerServer(options: PeerServerOptions): PeerServer {
  const { store } = options;
  const http = createServer((req, res) => void handleHttp(store, req, res));
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, { user: PeerUser }>(http, {
    // Parley's WebSocketServer limit; Socket.IO's default is 1 MB too, stated for symmetry.
    maxHttpBufferSize: 1024 * 1024,
  });

  let redisClients: Redis[] = [];
  if (options.redis) {
    const pub = new Redis(options.redis.url);
    const sub = pub.duplicate();
    redisClients = [pub, sub];
    io.adapter(createAdapter(pub, sub, { key: `${options.redis.prefix}socket.io` }));
  }

  io.use(async (socket, next) => {
    try {
      const user = await store.authenticate((socket.handshake.auth as { token?: unknown }).token);
      if (!user) return next(new Error('Invalid or expired session token'));
      socket.data.user = user;
      next();
    } catch (error) {
      next(error instanceof Error ? error : new Error(String(error)));
    }
  });

  io.on('connection', (socket: PeerSocket) => {
    const { user } = socket.data;
    const answer = <T>(event: string, ack: (result: PeerAck<T>) => void, work: () => Promise<T>) => {
      if (typeof ack !== 'function') return;
      work().then(
        (value) => ack({ ok: true, value }),
        (error: unknown) => {
          options.onError?.(error, event);
          ack({ ok: false, error: error instanceof Error ? error.message : String(error) });
        },
      );
    };

    socket.on('thread:createGroup', (input, ack) => answer('thread:createGroup', ack, () => store.createGroup(user, input.usernames)));

    socket.on('thread:join', (input, ack) =>
      answer('thread:join', ack, async () => {
        await assertMember(store, input.threadId, user.id);
        await socket.join(threadRoom(input.threadId));
        return { lastSeq: 0 };
      }),
    );

    socket.on('message:send', (input, ack) =>
      answer('message:send', ack, async () => {
        await assertMember(store, input.threadId, user.id);
        const message = await store.storeMessage(user, { threadId: input.threadId, body: input.body, clientId: input.clientId ?? null });
        io.to(threadRoom(input.threadId)).emit('message', message);
        return message;
      }),
    );
  });

  return {
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve());
      });
      const address = http.address() as AddressInfo;
      return `http://${host}:${address.port}`;
    },
    async close() {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await Promise.allSettled(redisClients.map((client) => client.quit()));
      await store.close();
    },
  };
}

async function assertMember(store: PeerStore, threadId: string, userId: string): Promise<void> {
  if (!(await store.isMember(threadId, userId))) throw new Error('You are not a member of this thread');
}

async function handleHttp(store: PeerStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== SIGN_UP_PATH) return sendJson(res, 404, { error: 'Not Found' });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { username } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { username?: unknown };
    if (typeof username !== 'string' || !/^[A-Za-z0-9_.-]{3,32}$/.test(username)) {
      return sendJson(res, 400, { error: 'username must be 3-32 letters, digits, _ . or -' });
    }
    sendJson(res, 200, await store.signUp(username));
  } catch (error) {
    sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
