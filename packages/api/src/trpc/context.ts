import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { clientAddressOf } from '../auth/clientAddress.ts';
import { isSecureRequest } from '../auth/cookie.ts';
import type { SessionUser, ValidSession } from '../auth/session.ts';
import type { Deps } from '../deps.ts';

/** Who is calling, resolved by the transport (cookie, bearer token or connectionParams) before procedures run. */
export interface Caller {
  user: SessionUser | null;
  session: ValidSession | null;
}

export interface HttpTransport {
  kind: 'http';
  req: IncomingMessage;
  res: ServerResponse;
}

export interface WsTransport {
  kind: 'ws';
  req: IncomingMessage;
  socket: WebSocket;
  /** Per-connection bookkeeping for limits. */
  connection: { subscriptions: number };
}

export type Context = Deps &
  Caller & {
    transport: HttpTransport | WsTransport | { kind: 'internal' };
    /** Remote address, for per-address limits and logs. */
    clientAddress: string;
  };

/** Builds the context every procedure sees; HTTP, WebSocket and tests all come through here. */
export function createContext(deps: Deps, caller: Caller, transport: Context['transport']): Context {
  const req = transport.kind === 'internal' ? null : transport.req;
  const clientAddress = req ? clientAddressOf(req, deps.config) : 'internal';
  // Not `{ ...deps, ...caller, transport }`: on Node 20's V8, a spread followed by new keys gives every
  // object a hidden class of its own (about 1 KB per open socket, and megamorphic reads of ctx).
  return Object.assign({}, deps, caller, { transport, clientAddress });
}

/** Sets a cookie when the call came over HTTP; over a WebSocket there is no response to carry one. */
export function setResponseCookie(ctx: Context, cookie: string): void {
  if (ctx.transport.kind === 'http') ctx.transport.res.appendHeader('Set-Cookie', cookie);
}

export function isSecureTransport(ctx: Context): boolean {
  if (ctx.config.cookieSecure !== 'auto') return ctx.config.cookieSecure;
  return ctx.transport.kind !== 'internal' && isSecureRequest(ctx.transport.req, ctx.config.trustProxy);
}
