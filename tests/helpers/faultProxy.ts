import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * - `forward`: bytes flow both ways.
 * - `refuse`: the far end is down: open connections are reset, new ones are reset at once.
 * - `partition`: the network drops everything: open connections stall (nothing arrives either way,
 *   nothing is closed) and new connections are accepted but never reach the target, as with packets
 *   lost on a cut cable. Back to `forward`, stalled bytes flow again (TCP would retransmit them).
 */
export type FaultMode = 'forward' | 'refuse' | 'partition';

export interface FaultProxy {
  port: number;
  /** Connections open now, stalled ones included. */
  openConnections(): number;
  setMode(mode: FaultMode): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | null;
  isStalled: boolean;
}

/** A TCP proxy on 127.0.0.1 in front of `target` whose link a test can cut in the two ways networks fail. */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = 'forward';
  const pairs = new Set<Pair>();

  const end = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };
  const stall = (pair: Pair) => {
    pair.isStalled = true;
    pair.client.unpipe();
    pair.upstream?.unpipe();
    pair.client.pause();
    pair.upstream?.pause();
  };
  const flow = (pair: Pair) => {
    pair.isStalled = false;
    if (!pair.upstream) {
      pair.upstream = connect(target.port, target.host);
      pair.upstream.on('error', () => end(pair)).on('close', () => end(pair));
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };

  const server = createServer((client) => {
    if (mode === 'refuse') return void client.resetAndDestroy();
    const pair: Pair = { client, upstream: null, isStalled: false };
    pairs.add(pair);
    client.on('error', () => end(pair)).on('close', () => end(pair));
    if (mode === 'partition') stall(pair);
    else flow(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as AddressInfo).port,
    openConnections: () => pairs.size,
    setMode(next) {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'refuse') {
          pairs.delete(pair);
          pair.client.resetAndDestroy();
          pair.upstream?.resetAndDestroy();
        } else if (next === 'partition' && !pair.isStalled) stall(pair);
        else if (next === 'forward' && pair.isStalled) flow(pair);
      }
    },
    async close() {
      for (const pair of [...pairs]) end(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
