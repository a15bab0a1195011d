import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
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
  symlinkSync(join(clientDir, 'node_modules/zod'), join(app.path, 'node_modules/zod'));
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

  it('ships one self-contained index.d.ts: router types inlined, only @trpc/* and zod imported', () => {
    const declarations = readFileSync(join(app.path, 'node_modules/@parley/client/dist/index.d.ts'), 'utf8');
    const imported = [...declarations.matchAll(/\bfrom '([^']+)'|\bimport\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]);
    expect(new Set(imported.map((specifier) => specifier?.split('/')[0]))).toEqual(new Set(['@trpc', 'zod']));
    expect(declarations).not.toMatch(/@parley\/api|prisma|ioredis|pino/i);
    expect(declarations).toMatch(/interface MessageView \{/);
  });

  it('gives an app outside the workspace the procedure types: tsc accepts right calls and refuses wrong ones', async () => {
    writeFileSync(join(app.path, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(
      join(app.path, 'tsconfig.json'),
      JSON.stringify({
        // skipLibCheck stays off so that the bundled declarations are checked too; tRPC's need esnext.disposable.
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'ESNext.Disposable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          noEmit: true,
          types: [],
        },
        files: ['sendTyped.ts'],
      }),
    );
    // Each @ts-expect-error fails the check if its line compiles, so procedure types that fell back to
    // `any` (an unresolved import in the declarations) fail this test too.
    writeFileSync(
      join(app.path, 'sendTyped.ts'),
      `
      import { createParleyClient, type ActivityEvent, type MessageView } from '@parley/client';
      const client = createParleyClient({ url: 'http://127.0.0.1:1', token: 'token' });

      export async function send(threadId: string): Promise<number> {
        const result = await client.api.message.send.mutate({ threadId, body: 'hello' });
        const message: MessageView = result;
        // @ts-expect-error the body is text (it may be left out when files are attached)
        await client.api.message.send.mutate({ threadId, body: 42 });
        // @ts-expect-error seq is a number
        const wrong: string = result.seq;
        // @ts-expect-error there is no such procedure
        await client.api.message.sned.mutate({ threadId, body: 'hello' });
        void wrong;
        return message.seq + result.seq;
      }

      export function follow(onMessage: (body: string) => void): void {
        client.api.thread.onActivity.subscribe(undefined, {
          onData(event: ActivityEvent) {
            if (event.type === 'message') onMessage(event.message.body);
          },
        });
      }
      `,
    );
    const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', app.path], { cwd: app.path, timeout: 60_000 }).then(
      () => 'ok',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('ok');
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
        client.api.thread.onMessage.subscribe({ threadId: thread.id, lastEventId: '0' }, { onData: ({ data }) => data.kind === 'message' && resolve(data.message) });
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
