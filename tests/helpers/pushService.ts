import { createECDH, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { makeTempDir } from './tempDir.ts';

// http_ece (the Web Push payload encryption by web-push's authors) is CommonJS without types.
const ece = createRequire(import.meta.url)('http_ece') as {
  decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: ReturnType<typeof createECDH>; authSecret: string }): Buffer;
};

interface ReceivedPush {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/**
 * A push service on https://127.0.0.1 as browsers' vendors run them (web-push speaks only https), with a
 * certificate made for the test: a server process trusts it through NODE_EXTRA_CA_CERTS=`caFile`. It
 * takes the server's POSTs, answering `status(path)` (201 by default; 410 says a subscription is gone;
 * 'hang' never answers).
 */
export async function startPushService(status: (path: string) => number | 'hang' = () => 201) {
  const dir = makeTempDir('parley-push-');
  const [key, cert] = [join(dir.path, 'key.pem'), join(dir.path, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const received: ReceivedPush[] = [];
  const hanging: Array<() => void> = [];
  const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) });
      const answer = status(req.url ?? '/');
      if (answer === 'hang') hanging.push(() => res.destroy());
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: cert,
    received,
    async close() {
      for (const drop of hanging) drop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      dir.remove();
    },
  };
}

/** A browser's side of a subscription: real P-256 keys and auth secret, and the decryption of what is pushed to it. */
export function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16).toString('base64url');
  return {
    subscription: { endpoint, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth } },
    /** Decrypts an aes128gcm push body (RFC 8291) as the browser would, and parses its JSON. */
    decrypt(body: Buffer): Record<string, unknown> {
      return JSON.parse(ece.decrypt(body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8')) as Record<string, unknown>;
    },
  };
}
