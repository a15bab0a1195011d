// A TCP proxy in a process of its own (so its byte copying does not run on the load generator's event
// loop) with one listening port per group of clients. On command it cuts every connection of a group and
// refuses the group's new ones for a while: a network outage that clients see as a dropped socket and
// failed reconnects, without touching the server. Parent IPC: argv = targetPort groups; sends
// { type: 'ready', ports }, takes { type: 'cut', group, forMs }.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyCommand = { type: 'cut'; group: number; forMs: number };
export type ProxyReport = { type: 'ready'; ports: number[] } | { type: 'cut'; group: number; connectionsCut: number };

const targetPort = Number(process.argv[2]);
const groups = Number(process.argv[3]);

interface Group {
  server: Server;
  pairs: Set<[Socket, Socket]>;
  blockedUntil: number;
}

function listen(group: Group): Promise<number> {
  return new Promise((resolve) => group.server.listen(0, '127.0.0.1', () => resolve((group.server.address() as AddressInfo).port)));
}

const all: Group[] = Array.from({ length: groups }, () => {
  const group: Group = { server: createServer(), pairs: new Set(), blockedUntil: 0 };
  group.server.on('connection', (client) => {
    if (Date.now() < group.blockedUntil) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    group.pairs.add(pair);
    const end = () => {
      group.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return group;
});

process.on('message', (command: ProxyCommand) => {
  const group = all[command.group];
  if (command.type !== 'cut' || !group) return;
  group.blockedUntil = Date.now() + command.forMs;
  const connectionsCut = group.pairs.size;
  for (const [client, upstream] of group.pairs) {
    client.destroy();
    upstream.destroy();
  }
  group.pairs.clear();
  process.send?.({ type: 'cut', group: command.group, connectionsCut } satisfies ProxyReport);
});
// The parent's end is this process's end: never outlive a crashed bench.
process.on('disconnect', () => process.exit(0));

const ports = await Promise.all(all.map(listen));
process.send?.({ type: 'ready', ports } satisfies ProxyReport);
