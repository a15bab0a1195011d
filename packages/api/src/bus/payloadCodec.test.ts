import { describe, expect, it } from 'vitest';
import { testMessageEvent } from '../testing/testMessage.ts';
import { presencePayload, readPayload, typingPayload } from './noticePayloads.ts';
import { decodeChannelPayload, decodeSessionIds, encodeSessionIds, encodeThreadEvent, encodeThreadAdded } from './payloadCodec.ts';

const event = testMessageEvent({ id: 'm1', seq: 3, body: 'hello', createdAt: new Date(0).toISOString() });
const edit = { kind: 'edit' as const, threadId: 't1', seq: 4, messageId: 'm1', actor: event.actor, at: event.at, body: 'hi', mentions: [] };

describe('bus payload codec', () => {
  it('round-trips events of every kind', () => {
    expect(decodeChannelPayload(encodeThreadEvent(event))).toEqual({ type: 'event', event });
    expect(decodeChannelPayload(encodeThreadEvent(edit))).toEqual({ type: 'event', event: edit });
  });

  it('round-trips a read notice', () => {
    const read = { threadId: 't1', userId: 'u1', lastReadSeq: 9 };
    expect(decodeChannelPayload(readPayload(read))).toEqual({ type: 'read', ...read });
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
    ['an untagged message (as the bus sent them before the thread log)', JSON.stringify(event.message)],
    ['an event without a seq', JSON.stringify({ event: { ...event, seq: undefined } })],
    ['an event whose seq is a string', JSON.stringify({ event: { ...event, seq: '3' } })],
    ['an event of an unknown kind', JSON.stringify({ event: { ...edit, kind: 'poll' } })],
    ['a read notice whose seq is not a number', '{"read":{"threadId":"t1","userId":"u1","lastReadSeq":"9"}}'],
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
