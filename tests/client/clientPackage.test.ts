import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.ts';
import { makeTempDir } from '../helpers/tempDir.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const clientDir = join(repoRoot, 'packages/client');
let app: { path: string; remove(): void };
let server: TestServer;

// An app outside the workspace: the packed tarball (publishConfig applied) in its own node_modules,
// next to the client's runtime dependencies, and plain Node with no TypeScript loader.
beforeAll(async () => {
  app = makeTempDir('parley-consumer-');
  execFileSync('pnpm', ['--filter', '@parley/client', 'build'], { cwd: repoRoot, stdio: 'pipe' });
  execFileSync('pnpm', ['pack', '--pack-destination', app.path], { cwd: clientDir, stdio: 'pipe' });
  const tarball = readdirSync(app.path).find((f) => f.endsWith('.tgz'));
  const installed = join(app.path, 'node_modules/@parley/client');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', join(app.path, String(tarball)), '-C', installed, '--strip-components=1']);
  symlinkSync(join(clientDir, 'node_modules/@trpc'), join(app.path, 'node_modules/@trpc'));
  symlinkSync(join(clientDir, 'node_modules/ws'), join(app.path, 'node_modules/ws'));
  server = await startTestServer();
}, 120_000);

afterAll(async () => {
  await server?.close();
  app?.remove();
});

describe('the built @parley/client package', () => {
  it('ships JS and type declarations for the entry, and no server code', () => {
    const manifest = JSON.parse(readFileSync(join(app.path, 'node_modules/@parley/client/package.json'), 'utf8'));
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    const files = readdirSync(join(app.path, 'node_modules/@parley/client/dist'));
    expect(files).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'webSocket.node.js', 'webSocket.browser.js']));
    for (const file of files.filter((f) => f.endsWith('.js'))) {
      expect(readFileSync(join(app.path, 'node_modules/@parley/client/dist', file), 'utf8')).not.toMatch(/@parley\/api/);
    }
  });

  it('logs in, sends and receives over a WebSocket from plain Node', async () => {
    const script = `
      import { createParleyClient, signUp } from '@parley/client';
      const url = process.argv[1];
      const alice = await signUp(url, 'alice', 'correct horse battery');
      await signUp(url, 'bob', 'correct horse battery');
      const client = createParleyClient({ url, token: alice.token });
      const thread = await client.api.thread.getOrCreate.mutate({ username: 'bob' });
      const received = new Promise((resolve) => {
        client.api.thread.onMessage.subscribe({ threadId: thread.id, lastEventId: '0' }, { onData: ({ data }) => resolve(data) });
      });
      await client.api.message.send.mutate({ threadId: thread.id, body: 'from outside', clientId: 'c-1' });
      const message = await received;
      console.log(JSON.stringify({ body: message.body, author: message.author.username, state: client.connectionState }));
      await client.close();
    `;
    // Asynchronously: the server runs in this process and must keep answering.
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, server.url], {
      cwd: app.path,
      timeout: 20_000,
    });
    expect(JSON.parse(stdout.trim())).toEqual({ body: 'from outside', author: 'alice', state: 'open' });
  });
});
