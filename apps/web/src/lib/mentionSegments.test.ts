import { describe, expect, it } from 'vitest';
import { mentionSegments } from './mentionSegments.ts';

const anna = { id: 'u-anna', username: 'anna' };
const bob = { id: 'u-bob', username: 'bob.k' };

describe('mentionSegments', () => {
  it('keeps a body without mentions as one text run', () => {
    expect(mentionSegments('hi @anna', [], 'u-me')).toEqual([{ text: 'hi @anna', mention: null }]);
  });

  it('marks resolved mentions and says which one is me', () => {
    expect(mentionSegments('@anna and @bob.k, look', [anna, bob], 'u-bob')).toEqual([
      { text: '@anna', mention: { ...anna, isMe: false } },
      { text: ' and ', mention: null },
      { text: '@bob.k', mention: { ...bob, isMe: true } },
      { text: ', look', mention: null },
    ]);
  });

  it('leaves a sentence-ending dot outside the name', () => {
    expect(mentionSegments('ask @Anna.', [anna], 'u-me')).toEqual([
      { text: 'ask ', mention: null },
      { text: '@Anna', mention: { ...anna, isMe: false } },
      { text: '.', mention: null },
    ]);
  });

  it('does not mark names the server did not resolve, nor e-mail addresses', () => {
    expect(mentionSegments('mail anna@anna.org or @carl', [anna], 'u-me')).toEqual([{ text: 'mail anna@anna.org or @carl', mention: null }]);
  });
});
