import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** A Host header as browsers send it (name or address, optional port); anything else gets no ws: source. */
const HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/**
 * Browser security headers for every answer (the SPA, the API, health): a strict CSP (the app loads only
 * its own files and talks only to its own origin, over HTTP and the WebSocket), no framing, no MIME
 * sniffing, no referrer. HSTS and upgrade-insecure-requests only over https: sent over plain HTTP they
 * would break a deployment without TLS (and browsers ignore HSTS there anyway).
 */
export function createSecurityHeaders(options: { trustProxy: unknown }) {
  const plain = helmet(helmetOptions(false));
  const secure = helmet(helmetOptions(true));
  return (req: IncomingMessage, res: ServerResponse): void => {
    const middleware = isHttps(req, Boolean(options.trustProxy)) ? secure : plain;
    // helmet's middleware is synchronous and only sets headers; `next` is called before it returns.
    middleware(req, res, () => undefined);
  };
}

function helmetOptions(https: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Style attributes only (no <style> elements): the emoji picker sets a few per render (grid sizes, its
        // tab indicator). An attribute cannot run script, and what it could fetch is bound by img-src/font-src.
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        // 'self' covers same-origin ws: in CSP 3 browsers only; the explicit origin covers the rest.
        connectSrc: ["'self'", (req) => socketOrigin(req as IncomingMessage, https)],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    xContentTypeOptions: true,
    crossOriginEmbedderPolicy: false,
  };
}

function socketOrigin(req: IncomingMessage, https: boolean): string {
  const host = req.headers.host;
  if (!host || !HOST.test(host)) return '';
  return `${https ? 'wss' : 'ws'}://${host}`;
}

/** Over TLS here, or behind a trusted proxy that says the browser used https. */
function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (!trustProxy) return false;
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return proto === 'https';
}
