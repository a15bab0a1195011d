import { describe, expect, it } from 'vitest';
import { createFanOutEncoder } from './wsEncoder.ts';

function dataReply(id: number, seq: number, message: object) {
  return { id, jsonrpc: '2.0', result: { type: 'data', id: String(seq), data: { id: String(seq), data: message } } };
}

describe('the fan-out WebSocket encoder', () => {
  it('encodes every reply exactly as JSON.stringify would', () => {
    const encoder = createFanOutEncoder();
    const message = { id: 'm1', seq: 3, body: 'quotes " and $& and $1 and \\u0000-looking text', author: { id: 'u', username: 'a' } };
    const replies = [
      dataReply(7, 3, message),
      { id: 1, result: { type: 'started' } },
      { id: 2, error: { code: -32600, message: 'bad' } },
      { id: null, method: 'reconnect' },
      { id: 3, result: { type: 'data', data: 'a plain string' } },
      { id: 4, result: { type: 'data', data: { id: 'x', data: null } } },
    ];
    for (const reply of replies) expect(encoder.encode(reply)).toBe(JSON.stringify(reply));
  });

  it("gives tRPC's own replies to tracked events the same JSON value, whatever their key order", () => {
    const encoder = createFanOutEncoder();
    const message = { id: 'm1', seq: 3, body: 'hi', author: { id: 'u', username: 'a' } };
    // The order tRPC builds them in: type, data, then the event id.
    const result: Record<string, unknown> = { type: 'data', data: null };
    result.id = '3';
    result.data = { id: '3', data: message };
    for (const reply of [
      { id: 9, jsonrpc: '2.0', result },
      { id: 'x', jsonrpc: undefined, result },
    ]) {
      expect(JSON.parse(String(encoder.encode(reply)))).toEqual(JSON.parse(JSON.stringify(reply)));
    }
  });

  it('leaves nothing out of a reply with more in it than a tracked event', () => {
    const encoder = createFanOutEncoder();
    const message = { id: 'm1', seq: 3 };
    const replies = [
      { ...dataReply(1, 3, message), extra: true },
      { id: 2, result: { type: 'data', id: '3', data: { id: '3', data: message }, extra: 1 } },
      { id: 3, result: { type: 'data', id: '3', data: { id: '3', data: message, extra: 'x' } } },
      { id: 4, result: { type: 'data', data: message } },
      { id: 5, result: { type: 'data', id: 3, data: { id: '3', data: message } } },
    ];
    for (const reply of replies) expect(encoder.encode(reply)).toBe(JSON.stringify(reply));
  });

  it('serialises a message shared by many subscriptions once', () => {
    const encoder = createFanOutEncoder();
    let serialised = 0;
    const message = { seq: 1, body: 'hello', toJSON: () => (serialised++, { seq: 1, body: 'hello' }) };
    const frames = Array.from({ length: 50 }, (_, i) => encoder.encode(dataReply(i, 1, message)));
    expect(serialised).toBe(1);
    expect(frames[49]).toBe(JSON.stringify(dataReply(49, 1, { seq: 1, body: 'hello' })));
  });
});
