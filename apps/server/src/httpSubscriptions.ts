import type { ServerResponse } from 'node:http';
import type { AnyRouter } from '@trpc/server';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { sendJson } from './httpRoutes.ts';

/**
 * Finds a subscription among the procedures an HTTP request to tRPC names. Over HTTP tRPC would serve
 * it as a server-sent event stream, which no socket limit counts and no logout closes; Parley's
 * clients subscribe over the WebSocket, so such a request is refused before tRPC sees it.
 */
export function createHttpSubscriptionCheck(router: AnyRouter, basePath: string): (url: string) => string | null {
  const procedures = router._def.procedures as Record<string, { _def: { type: string } } | undefined>;
  return (url) => {
    const pathname = url.split('?')[0] ?? '';
    if (!pathname.startsWith(basePath)) return null;
    let paths: string[];
    try {
      paths = decodeURIComponent(pathname.slice(basePath.length)).split(',');
    } catch {
      return null; // tRPC answers a path it cannot decode itself
    }
    return paths.find((path) => Object.hasOwn(procedures, path) && procedures[path]?._def.type === 'subscription') ?? null;
  };
}

/** The refusal in tRPC's error shape, so tRPC clients read it as a TRPCClientError with a code. */
export function sendSubscriptionOverHttpRefused(res: ServerResponse, path: string): void {
  res.setHeader('allow', '');
  sendJson(res, 405, {
    error: {
      message: 'Subscriptions are served over the WebSocket only: connect to /trpc with ws:// or wss://',
      code: TRPC_ERROR_CODES_BY_KEY.METHOD_NOT_SUPPORTED,
      data: { code: 'METHOD_NOT_SUPPORTED', httpStatus: 405, path },
    },
  });
}
