import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import sirv from 'sirv';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** The built web app, with index.html for client-side routes; null when it has not been built. */
export function createStaticHandler(dir: string | undefined): RequestHandler | null {
  if (!dir || !existsSync(dir)) return null;
  const serve = sirv(dir, { single: true, etag: true, gzip: true, brotli: true });
  return (req, res) =>
    serve(req, res, () => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
    });
}
