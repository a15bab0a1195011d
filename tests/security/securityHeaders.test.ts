import { request, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

let plain: TestServer;
let behindProxy: TestServer;
beforeAll(async () => {
  [plain, behindProxy] = await Promise.all([startTestServer(), startTestServer({ env: { TRUST_PROXY: 'true' } })]);
});
afterAll(async () => {
  await Promise.all([plain.close(), behindProxy.close()]);
});

function directives(csp: string | null): Map<string, string> {
  return new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(' ')[0]!, d.slice(d.indexOf(' ') + 1)]),
  );
}

/** A GET with any Host header (fetch would replace it with the URL's). */
function headersOf(url: string, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume();
      resolve(res.headers);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser security headers', () => {
  it.each(['/', '/trpc/auth.me', '/healthz', '/no/such/page'])('sends a strict CSP, no framing, nosniff and no referrer on %s', async (path) => {
    const res = await fetch(`${plain.url}${path}`);
    await res.arrayBuffer();
    const csp = directives(res.headers.get('content-security-policy'));
    const host = new URL(plain.url).host;
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('connect-src')).toBe(`'self' ws://${host}`);
    expect(csp.get('script-src')).toBe("'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('sends HSTS and wss: only when a trusted proxy says the browser used https', async () => {
    const viaHttps = await headersOf(`${behindProxy.url}/`, { 'x-forwarded-proto': 'https', host: 'chat.example.com' });
    expect(viaHttps['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(directives(String(viaHttps['content-security-policy'])).get('connect-src')).toBe("'self' wss://chat.example.com");

    const spoofed = await fetch(`${plain.url}/`, { headers: { 'x-forwarded-proto': 'https' } });
    await spoofed.arrayBuffer();
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
  });

  it('leaves a Host header that is not a host out of the CSP', async () => {
    const headers = await headersOf(`${plain.url}/healthz`, { host: "evil; script-src 'unsafe-inline'" });
    const csp = String(headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    // The host stays out: the only 'unsafe-inline' is the emoji picker's style attributes, never scripts.
    expect(directives(csp).get('script-src')).toBe("'self'");
    expect(directives(csp).get('connect-src')).not.toContain('evil');
    expect(csp.match(/unsafe-inline/g)).toHaveLength(1);
  });
});
