import { jsonEncoder, type Encoder } from '@trpc/server/adapters/ws';

/**
 * tRPC's WebSocket adapter serialises every reply per socket. A message fanned out to many subscribers is
 * one object in this process (the bus hands every subscription the same event), so its JSON is made once
 * and only the small per-subscription envelope is written per socket: by hand, as the string
 * concatenation of its few fields, because that envelope is built for every delivery: several times faster
 * than passing copies of the envelope to JSON.stringify, and no garbage (measured: docs/benchmarks.md#numbers-that-used-to-live-in-code-comments).
 */
export function createFanOutEncoder(): Encoder {
  const cache = new WeakMap<object, string>();
  const messageJson = (message: object): string => {
    let json = cache.get(message);
    if (json === undefined) {
      json = JSON.stringify(message);
      cache.set(message, json);
    }
    return json;
  };
  return {
    encode(data) {
      const reply = asTrackedDataReply(data);
      if (!reply) return JSON.stringify(data);
      const { result } = reply;
      const jsonrpc = reply.jsonrpc === undefined ? '' : `"jsonrpc":${JSON.stringify(reply.jsonrpc)},`;
      const eventId = result.id === undefined ? '' : `,"id":${JSON.stringify(result.id)}`;
      return (
        `{"id":${JSON.stringify(reply.id)},${jsonrpc}"result":{"type":"data"${eventId},` +
        `"data":{"id":${JSON.stringify(result.data.id)},"data":${messageJson(result.data.data)}}}}`
      );
    },
    decode: jsonEncoder.decode,
  };
}

interface TrackedDataReply {
  id: string | number | null;
  jsonrpc?: string;
  result: { type: 'data'; id?: string; data: { id: string; data: object } };
}

/**
 * The reply to a tracked subscription event, with nothing else in it: any other shape (or any key this
 * encoder would not write) goes to JSON.stringify whole.
 */
function asTrackedDataReply(data: unknown): TrackedDataReply | null {
  const reply = data as Partial<TrackedDataReply>;
  const result = reply.result;
  if (!result || result.type !== 'data' || !hasOnly(reply, REPLY_KEYS)) return null;
  if (!isPrimitiveId(reply.id) || !(reply.jsonrpc === undefined || typeof reply.jsonrpc === 'string')) return null;
  if (!hasOnly(result, RESULT_KEYS) || !(result.id === undefined || typeof result.id === 'string')) return null;
  const tracked = result.data;
  if (typeof tracked !== 'object' || tracked === null || !hasOnly(tracked, TRACKED_KEYS) || typeof tracked.id !== 'string') return null;
  if (typeof tracked.data !== 'object' || tracked.data === null) return null;
  return reply as TrackedDataReply;
}

const REPLY_KEYS = ['id', 'jsonrpc', 'result'];
const RESULT_KEYS = ['type', 'id', 'data'];
const TRACKED_KEYS = ['id', 'data'];

function isPrimitiveId(id: unknown): boolean {
  return id === null || typeof id === 'string' || typeof id === 'number';
}

/** Own enumerable keys are all among `allowed` (for-in: no array allocated per delivery). */
function hasOnly(object: object, allowed: readonly string[]): boolean {
  for (const key in object) {
    if (!Object.prototype.hasOwnProperty.call(object, key) || !allowed.includes(key)) return false;
  }
  return true;
}
