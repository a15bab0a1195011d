import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findMissingPrerequisites, isListening } from './prerequisites.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listeningPort(): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function closedPort(): Promise<number> {
  const port = await listeningPort();
  await new Promise((resolve) => servers.pop()?.close(resolve));
  return port;
}

describe('test prerequisites', () => {
  it('sees a port something listens on', async () => {
    expect(await isListening('127.0.0.1', await listeningPort(), 500)).toBe(true);
  });

  it('reports a closed port quickly', async () => {
    const startedAt = Date.now();
    expect(await isListening('127.0.0.1', await closedPort(), 500)).toBe(false);
    expect(Date.now() - startedAt).toBeLessThan(2000);
  });

  it('gives one line per missing prerequisite with the command to run, and none for present ones', async () => {
    const port = await closedPort();
    const missing = await findMissingPrerequisites([
      { name: 'Closed thing', check: () => isListening('127.0.0.1', port, 500), fix: 'start-closed-thing' },
      { name: 'Present thing', check: async () => true, fix: 'never-shown' },
    ]);
    expect(missing).toEqual(['missing Closed thing: run `start-closed-thing`']);
  });
});
