import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

export interface LoadBalancer {
  port: number;
  /** Stops accepting and cuts the connections it carries. */
  close(): Promise<void>;
}

export interface LoadBalancerOptions {
  port: number;
  host: string;
  backends: Backend[];
  /** Told when no backend took a connection. */
  onNoBackend?: (error: Error) => void;
}

/**
 * A round-robin TCP load balancer for trying a cluster locally: it forwards bytes, so WebSocket
 * upgrades and everything after them pass untouched, and it skips a backend whose connect fails (a
 * process that is down or restarting). It sees no HTTP, so it adds no X-Forwarded-* headers: production
 * belongs behind nginx, Caddy or HAProxy (docs/cluster.md).
 */
export async function startLoadBalancer(options: LoadBalancerOptions): Promise<LoadBalancer> {
  const { backends } = options;
  if (backends.length === 0) throw new Error('a load balancer needs at least one backend');
  let next = 0;
  const open = new Set<Socket>();

  const server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.setNoDelay(true);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    const first = next;
    next = (next + 1) % backends.length;
    tryBackend(client, first, 0);
  });

  function tryBackend(client: Socket, index: number, tried: number): void {
    if (client.destroyed) return;
    if (tried === backends.length) {
      options.onNoBackend?.(new Error(`no backend accepted the connection (${backends.map((b) => `${b.host}:${b.port}`).join(', ')})`));
      return void client.destroy();
    }
    const backend = backends[index]!;
    const upstream = connect(backend.port, backend.host);
    const giveUp = () => upstream.destroy();
    client.once('close', giveUp);
    upstream.once('error', () => {
      client.off('close', giveUp);
      tryBackend(client, (index + 1) % backends.length, tried + 1);
    });
    upstream.once('connect', () => {
      open.add(upstream);
      upstream.setNoDelay(true);
      upstream.removeAllListeners('error');
      upstream.on('error', () => upstream.destroy());
      upstream.on('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}
