import { describe, expect, it } from 'vitest';
import type { MessageView } from '../domain/messageView.ts';
import { presencePayload, typingPayload } from './noticePayloads.ts';
import { decodeChannelPayload, decodeSessionIds, encodeMessage, encodeSessionIds, encodeThreadAdded } from './payloadCodec.ts';

const message: MessageView = {
  id: 'm1',
  threadId: 't1',
  seq: 3,
  author: { id: 'u1', username: 'ada' },
  body: 'hello',
  clientId: null,
  createdAt: new Date(0).toISOString(),
};

describe('bus payload codec', () => {
  it('round-trips a message', () => {
    expect(decodeChannelPayload(encodeMessage(message))).toEqual({ type: 'message', message });
  });

  it('round-trips a thread-added notice', () => {
    expect(decodeChannelPayload(encodeThreadAdded('t9'))).toEqual({ type: 'threadAdded', threadId: 't9' });
  });

  it('round-trips typing and presence notices', () => {
    const typing = { threadId: 't1', userId: 'u1', username: 'ada' };
    const presence = { userId: 'u1', online: false, version: 4, lastSeenAt: new Date(0).toISOString() };
    expect(decodeChannelPayload(typingPayload(typing))).toEqual({ type: 'typing', ...typing });
    expect(decodeChannelPayload(presencePayload(presence))).toEqual({ type: 'presence', ...presence });
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['an array', '[1,2]'],
    ['an object of no known kind', '{"hello":"world"}'],
    ['a message without a seq', JSON.stringify({ ...message, seq: undefined })],
    ['a message whose seq is a string', JSON.stringify({ ...message, seq: '3' })],
    ['a thread-added notice without a string id', '{"threadAdded":7}'],
    ['a typing notice without a username', '{"typing":{"threadId":"t1","userId":"u1"}}'],
    ['a presence notice without a version', '{"presence":{"userId":"u1","online":true,"lastSeenAt":null}}'],
  ])('refuses %s on a thread or user channel', (_, payload) => {
    expect(decodeChannelPayload(payload)).toBeNull();
  });

  it('round-trips the session ids of a session notice', () => {
    expect(decodeSessionIds(encodeSessionIds(['s1', 's2']))).toEqual(['s1', 's2']);
    expect(decodeSessionIds(encodeSessionIds([]))).toEqual([]);
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['an object', '{"ids":["s1"]}'],
    ['an array with a non-string id', '["s1",2]'],
  ])('refuses %s as a session notice', (_, payload) => {
    expect(decodeSessionIds(payload)).toBeNull();
  });
});
