import { jsonEncoder, type Encoder } from '@trpc/server/adapters/ws';

// Stands in for the message while the envelope is stringified; NULs cannot occur in a stored message.
const PLACEHOLDER = '\u0000parley:message\u0000';
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER);

/**
 * tRPC's WebSocket adapter serialises every reply per socket. A message fanned out to many subscribers is
 * one object in this process (the bus hands every subscription the same event), so its JSON is made once
 * and only the small per-subscription envelope is serialised per socket.
 */
export function createFanOutEncoder(): Encoder {
  const cache = new WeakMap<object, string>();
  return {
    encode(data) {
      const result = (data as { result?: { type?: string; data?: { data?: unknown } } }).result;
      const message = result?.type === 'data' ? result.data?.data : undefined;
      if (typeof message !== 'object' || message === null || !result?.data) return JSON.stringify(data);
      let json = cache.get(message);
      if (json === undefined) {
        json = JSON.stringify(message);
        cache.set(message, json);
      }
      const envelope = { ...(data as object), result: { ...result, data: { ...result.data, data: PLACEHOLDER } } };
      const cached = json;
      return JSON.stringify(envelope).replace(PLACEHOLDER_JSON, () => cached);
    },
    decode: jsonEncoder.decode,
  };
}
