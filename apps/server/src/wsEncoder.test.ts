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

  it('serialises a message shared by many subscriptions once', () => {
    const encoder = createFanOutEncoder();
    let serialised = 0;
    const message = { seq: 1, body: 'hello', toJSON: () => (serialised++, { seq: 1, body: 'hello' }) };
    const frames = Array.from({ length: 50 }, (_, i) => encoder.encode(dataReply(i, 1, message)));
    expect(serialised).toBe(1);
    expect(frames[49]).toBe(JSON.stringify(dataReply(49, 1, { seq: 1, body: 'hello' })));
  });
});
