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

interface HttpTransport {
  kind: 'http';
  req: IncomingMessage;
  res: ServerResponse;
}

interface WsTransport {
  kind: 'ws';
  req: IncomingMessage;
  socket: WebSocket;
  /** Per-connection bookkeeping for limits. */
  connection: { subscriptions: number };
}

// The caller's user and session sit at the top level, not under `caller`: tRPC merges a middleware's ctx
// shallowly, so authedProcedure narrows them to non-null with one `next({ ctx: { user, session } })`.
export interface Context extends Caller {
  /** Shared services, built once per process; procedures hand them (or a Pick) to domain functions. */
  deps: Deps;
  transport: HttpTransport | WsTransport | { kind: 'internal' };
  /** Remote address, for per-address limits and logs. */
  clientAddress: string;
}

/** Builds the context every procedure sees; HTTP, WebSocket and tests all come through here. */
export function createContext(deps: Deps, caller: Caller, transport: Context['transport']): Context {
  const req = transport.kind === 'internal' ? null : transport.req;
  const clientAddress = req ? clientAddressOf(req, deps.config) : 'internal';
  return { deps, user: caller.user, session: caller.session, transport, clientAddress };
}

/** Sets a cookie when the call came over HTTP; over a WebSocket there is no response to carry one. */
export function setResponseCookie(ctx: Pick<Context, 'transport'>, cookie: string): void {
  if (ctx.transport.kind === 'http') ctx.transport.res.appendHeader('Set-Cookie', cookie);
}

export function isSecureTransport(ctx: Pick<Context, 'deps' | 'transport'>): boolean {
  if (ctx.deps.config.cookieSecure !== 'auto') return ctx.deps.config.cookieSecure;
  return ctx.transport.kind !== 'internal' && isSecureRequest(ctx.transport.req, ctx.deps.config.trustProxy);
}
