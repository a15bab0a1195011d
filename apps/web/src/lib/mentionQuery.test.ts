import { describe, expect, it } from 'vitest';
import { completeMention, mentionQueryAt, suggestMembers } from './mentionQuery.ts';

describe('mentionQueryAt', () => {
  it('finds the name being typed after @', () => {
    expect(mentionQueryAt('hi @an', 6)).toEqual({ start: 3, query: 'an' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
  });

  it('is null once a space ends the name, and for e-mail addresses', () => {
    expect(mentionQueryAt('hi @anna ', 9)).toBeNull();
    expect(mentionQueryAt('anna@exa', 8)).toBeNull();
    expect(mentionQueryAt('no at sign', 10)).toBeNull();
  });
});

describe('suggestMembers', () => {
  const members = [
    { id: 'me', username: 'annika' },
    { id: 'a', username: 'Anna' },
    { id: 'b', username: 'bob' },
  ];

  it('offers members by name prefix, case-insensitively, never me', () => {
    expect(suggestMembers(members, 'an', 'me').map((m) => m.username)).toEqual(['Anna']);
    expect(suggestMembers(members, '', 'me').map((m) => m.username)).toEqual(['Anna', 'bob']);
  });
});

describe('completeMention', () => {
  it('replaces the typed part with the full name and a space, caret after it', () => {
    expect(completeMention('hi @an', 6, { start: 3, query: 'an' }, 'anna')).toEqual({ text: 'hi @anna ', caret: 9 });
  });

  it('replaces the rest of a name the caret is inside', () => {
    expect(completeMention('hi @anXX there', 6, { start: 3, query: 'an' }, 'anna')).toEqual({ text: 'hi @anna there', caret: 9 });
  });
});
