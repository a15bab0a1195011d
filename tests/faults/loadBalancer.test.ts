import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoadBalancer, type LoadBalancer } from '../../scripts/loadBalancer.ts';
import { freePort } from '../helpers/freePort.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A backend that answers each connection with its name, then echoes. */
async function namedBackend(name: string): Promise<number> {
  const server: Server = createServer((socket) => {
    socket.write(`${name}:`);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

async function balancer(ports: number[]): Promise<LoadBalancer> {
  const lb = await startLoadBalancer({ port: 0, host: '127.0.0.1', backends: ports.map((port) => ({ host: '127.0.0.1', port })) });
  closers.push(() => lb.close());
  return lb;
}

/** Connects through the balancer, sends `text`, and resolves with what came back once `expected` bytes did. */
function exchange(port: number, text: string, expected: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (received.length >= expected) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

describe("the cluster script's load balancer", () => {
  it('hands connections to the backends in turn and carries bytes both ways', async () => {
    const lb = await balancer([await namedBackend('a'), await namedBackend('b')]);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await exchange(lb.port, `hello${i}`, 8));
    expect(answers).toEqual(['a:hello0', 'b:hello1', 'a:hello2', 'b:hello3']);
  });

  it('skips a backend that refuses the connection', async () => {
    const lb = await balancer([await freePort(), await namedBackend('up')]);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await exchange(lb.port, 'x', 4));
    expect(answers).toEqual(['up:x', 'up:x', 'up:x']);
  });

  it('closes the connection when no backend takes it', async () => {
    const lb = await balancer([await freePort(), await freePort()]);
    const socket = connect(lb.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    socket.on('error', () => {}); // reset or closed: either way, ended
    await new Promise((resolve) => socket.once('close', resolve));
    expect(received).toBe('');
  });
});
