import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** The port clients connect to. */
  port: number;
  /** http://127.0.0.1:PORT, the origin a browser sees when it loads a page through the proxy. */
  origin: string;
  /** Where to forward; set later when the server needs the proxy's port before it starts. */
  setTarget(port: number): void;
  /** Cuts every open connection, as a network drop would; new connections are still accepted. */
  dropAll(): void;
  /** While blocked, new connections are cut at once, so a reconnecting client keeps failing. */
  setBlocked(isBlocked: boolean): void;
  /** How many connections are open now. */
  openConnections(): number;
  close(): Promise<void>;
}

/** A byte-forwarding proxy on 127.0.0.1 that a test uses to cut a client's sockets without touching the server. */
export async function startTcpProxy(targetPort?: number): Promise<TcpProxy> {
  let target = targetPort;
  let isBlocked = false;
  const pairs = new Set<[Socket, Socket]>();

  const server = createServer((client) => {
    if (isBlocked || target === undefined) return void client.destroy();
    const upstream = connect(target, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const dropAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    setTarget: (p) => void (target = p),
    dropAll,
    setBlocked: (value) => void (isBlocked = value),
    openConnections: () => pairs.size,
    async close() {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
