import { describe, expect, it } from 'vitest';
import { badgeLabel, documentTitle, unreadTotal } from './unreadBadge.ts';

const thread = (id: string, unreadCount: number, extra: { kind?: 'direct' | 'group'; notifications?: string } = {}) => ({
  id,
  kind: extra.kind ?? ('direct' as const),
  title: null,
  members: [],
  unreadCount,
  ...(extra.notifications ? { notifications: extra.notifications } : {}),
});

describe('the unread count in the tab', () => {
  it('adds up the unread messages of every thread but the muted ones', () => {
    expect(unreadTotal([thread('a', 2), thread('b', 0), thread('c', 3, { kind: 'group' }), thread('d', 7, { notifications: 'mute' })])).toBe(5);
  });

  it('puts the count before the name in the title, and leaves the name alone at zero', () => {
    expect(documentTitle(3)).toBe('(3) Parley');
    expect(documentTitle(0)).toBe('Parley');
  });

  it('badges the favicon with a digit, 9+ past nine, and nothing at zero', () => {
    expect(badgeLabel(0)).toBeNull();
    expect(badgeLabel(1)).toBe('1');
    expect(badgeLabel(9)).toBe('9');
    expect(badgeLabel(10)).toBe('9+');
    expect(badgeLabel(2000)).toBe('9+');
  });
});
