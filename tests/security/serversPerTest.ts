import { afterEach } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

/**
 * A fresh server per test, each with the settings under attack, and the clients it opened; all closed
 * after each test. Call once at the top of a test file.
 */
export function serversPerTest(): { server(env?: Record<string, string>): Promise<TestServer>; track<T extends { close(): void }>(client: T): T } {
  const servers: TestServer[] = [];
  const clients: Array<{ close(): void }> = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    async server(env = {}) {
      const s = await startTestServer({ env });
      servers.push(s);
      return s;
    },
    track(client) {
      clients.push(client);
      return client;
    },
  };
}
