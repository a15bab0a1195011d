/** What a hostile program sees of one tRPC call over plain HTTP: the status and the error, if any. */
export interface RawAnswer {
  status: number;
  code: string | undefined;
  retryAfterMs: number | undefined;
  message: string | undefined;
  data: unknown;
}

/**
 * One tRPC mutation as a raw HTTP POST, as an attacker's script would send it (no client library, one
 * request per call, headers of its choosing).
 */
export async function postProcedure(url: string, path: string, input: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
  return toAnswer(response);
}

/** One tRPC query as a raw HTTP GET. */
export async function getProcedure(url: string, path: string, input: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return toAnswer(await fetch(`${url}/trpc/${path}${query}`, { headers }));
}

async function toAnswer(response: Response): Promise<RawAnswer> {
  const body = (await response.json()) as {
    result?: { data?: unknown };
    error?: { message?: string; data?: { code?: string; retryAfterMs?: number } };
  };
  return {
    status: response.status,
    code: body.error?.data?.code,
    retryAfterMs: body.error?.data?.retryAfterMs,
    message: body.error?.message,
    data: body.result?.data,
  };
}

/** Headers of a request relayed by a trusted reverse proxy on loopback, for a client at `address`. */
export function viaProxy(address: string, spoofedByClient?: string): Record<string, string> {
  return { 'x-forwarded-for': spoofedByClient ? `${spoofedByClient}, ${address}` : address };
}
