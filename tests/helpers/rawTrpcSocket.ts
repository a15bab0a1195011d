import { execFile } from 'node:child_process';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import WebSocket from 'ws';

export interface RawTrpcSocket {
  socket: WebSocket;
  /** The client side's local port, which names this connection on the server. */
  localPort: number;
  /** Data frames and their bytes read so far. */
  received(): { frames: number; bytes: number };
  /** Subscribes with tRPC's wire protocol and resolves at the server's 'started'. */
  subscribe(id: number, path: string, input: unknown): Promise<void>;
  /** Stops reading from the TCP socket, as a client whose process hangs or whose link is congested. */
  stopReading(): void;
  resumeReading(): void;
  /** Resolves with the close code once the client has seen the socket close. */
  closed: Promise<number>;
}

/**
 * A WebSocket that speaks tRPC's wire protocol by hand (connectionParams, subscription, 'started'), so a
 * test can make it misbehave in ways the tRPC client never would.
 */
export async function openRawTrpcSocket(wsUrl: string, token: string): Promise<RawTrpcSocket> {
  const socket = new WebSocket(`${wsUrl}?connectionParams=1`);
  let frames = 0;
  let bytes = 0;
  const started = new Map<number, () => void>();
  socket.on('message', (data: Buffer) => {
    frames++;
    bytes += data.length;
    const text = data.toString();
    if (text.includes('"started"')) {
      const reply = JSON.parse(text) as { id?: number; result?: { type?: string } };
      if (reply.result?.type === 'started' && typeof reply.id === 'number') started.get(reply.id)?.();
    }
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ method: 'connectionParams', data: { token } }));
  // `ws` keeps its TCP socket private; pausing it is the only way to stop reading without closing.
  const tcp = (socket as unknown as { _socket: Socket })._socket;
  return {
    socket,
    localPort: tcp.localPort!,
    received: () => ({ frames, bytes }),
    async subscribe(id, path, input) {
      const confirmed = new Promise<void>((resolve) => started.set(id, resolve));
      socket.send(JSON.stringify({ id, method: 'subscription', params: { path, input } }));
      await confirmed;
    },
    stopReading: () => void tcp.pause(),
    resumeReading: () => void tcp.resume(),
    closed,
  };
}

/**
 * Whether process `pid` still holds the TCP connection from `serverPort` to `clientPort` (per `ss`): once
 * a server drops a socket its descriptor is gone, even while unread bytes keep the kernel's side alive.
 */
export async function processHoldsConnection(pid: number, serverPort: number, clientPort: number): Promise<boolean> {
  const { stdout } = await promisify(execFile)('ss', ['-Htnp', 'state', 'all', `( sport = :${serverPort} and dport = :${clientPort} )`]);
  return stdout.includes(`pid=${pid},`);
}
