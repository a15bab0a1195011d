import { describe, expect, it } from 'vitest';
import type { MessageView } from '@parley/client';
import { isNotifiable, notificationFor, notificationLevelOf } from './notificationRules.ts';

const me = { id: 'u-me', username: 'me' };
const anna = { id: 'u-anna', username: 'anna' };
const direct = { id: 't-direct', kind: 'direct' as const, title: null, members: [me, anna].map((u) => ({ ...u, lastReadSeq: 0 })) };
const group = { ...direct, id: 't-group', kind: 'group' as const, title: 'Team' };

function message(overrides: Partial<MessageView> = {}): MessageView {
  return {
    id: 'm1',
    threadId: 't-direct',
    seq: 1,
    author: anna,
    body: 'lunch?',
    clientId: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    mentions: [],
    reactions: [],
    attachments: [],
    ...overrides,
  };
}

describe('which messages notify me', () => {
  it('defaults to every message in a direct thread and mentions of me in a group', () => {
    expect(notificationLevelOf(direct)).toBe('all');
    expect(notificationLevelOf(group)).toBe('mentions');
    expect(isNotifiable(message(), direct, me)).toBe(true);
    expect(isNotifiable(message(), group, me)).toBe(false);
    expect(isNotifiable(message({ mentions: [me] }), group, me)).toBe(true);
  });

  it("follows the thread's level from thread.list when it has one", () => {
    expect(isNotifiable(message(), { ...group, notifications: 'all' }, me)).toBe(true);
    expect(isNotifiable(message(), { ...direct, notifications: 'mentions' }, me)).toBe(false);
    expect(isNotifiable(message({ mentions: [me] }), { ...group, notifications: 'mute' }, me)).toBe(false);
    expect(notificationLevelOf({ ...group, notifications: 'loud' })).toBe('mentions');
  });

  it('never notifies me of my own messages', () => {
    expect(isNotifiable(message({ author: me }), direct, me)).toBe(false);
  });
});

describe('what a notification says', () => {
  it('names the sender (and the group) and opens the thread', () => {
    expect(notificationFor(message(), direct, me)).toEqual({ title: 'anna', body: 'lunch?', tag: 't-direct', url: '/t/t-direct' });
    expect(notificationFor(message(), group, me).title).toBe('anna in Team');
  });

  it('says which file came when there is no text, and shortens long text', () => {
    const file = { id: 'a1', name: 'plan.pdf', size: 1, type: 'application/pdf', kind: 'file' as const, image: null };
    expect(notificationFor(message({ body: '', attachments: [file] }), direct, me).body).toBe('📎 plan.pdf');
    expect(Array.from(notificationFor(message({ body: 'x'.repeat(500) }), direct, me).body)).toHaveLength(141);
  });

  it('leaves the text out when I chose not to show it', () => {
    expect(notificationFor(message(), group, me, false)).toEqual({
      title: 'anna in Team',
      body: 'New message from anna',
      tag: 't-group',
      url: '/t/t-group',
    });
  });
});
