import { describe, expect, it } from 'vitest';
import { indexTermsOf, queryPhrasesOf } from './searchTerms.ts';

describe('indexTermsOf', () => {
  it('indexes Korean runs as overlapping bigrams, with their syllables on their own for one-syllable queries', () => {
    expect(indexTermsOf('회의는 10시')).toEqual({ words: '회의 의는 10 시', unigrams: '회 의 는' });
    expect(indexTermsOf('회의를 했다')).toEqual({ words: '회의 의를 했다', unigrams: '회 의 를 했 다' });
  });

  it('treats Han, Hiragana and Katakana the same way, the prolonged-sound mark included', () => {
    expect(indexTermsOf('東京のラーメン')?.words).toBe('東京 京の のラ ラー ーメ メン');
  });

  it('indexes other text as words of letters and digits, in NFKC lower case, Latin accents folded', () => {
    expect(indexTermsOf('Meetings at ＡＢＣ, café ① İstanbul!')).toEqual({ words: 'meetings at abc cafe 1 istanbul', unigrams: '' });
  });

  it('splits a word from a CJK run written against it ("10시에")', () => {
    expect(indexTermsOf('10시에 OK회의')?.words).toBe('10 시에 ok 회의');
  });

  it('keeps the marks of scripts where they are letters', () => {
    expect(indexTermsOf('नमस्ते')?.words).toBe('नमस्ते');
  });

  it('has nothing to index in punctuation, emoji or an empty text', () => {
    expect(indexTermsOf('')).toBeNull();
    expect(indexTermsOf('!!! 🎉 …')).toBeNull();
  });
});

describe('queryPhrasesOf', () => {
  it('looks a two-syllable Korean word up as its bigram, so "회의" finds "회의는" and "회의를"', () => {
    expect(queryPhrasesOf('회의')).toEqual([{ tokens: ['회의'], isPrefix: false }]);
    expect(queryPhrasesOf('회의는')).toEqual([{ tokens: ['회의', '의는'], isPrefix: false }]);
  });

  it('looks one syllable up among the unigrams', () => {
    expect(queryPhrasesOf('회')).toEqual([{ tokens: ['회'], isPrefix: false }]);
  });

  it('makes "10시" a phrase whose last syllable is a prefix, so it finds "10시" and "10시에"', () => {
    expect(queryPhrasesOf('10시')).toEqual([{ tokens: ['10', '시'], isPrefix: true }]);
  });

  it('matches words as prefixes ("Meeting" finds "meetings"), short ones only at the end of the query', () => {
    expect(queryPhrasesOf('Meeting')).toEqual([{ tokens: ['meeting'], isPrefix: true }]);
    expect(queryPhrasesOf('a plan')).toEqual([
      { tokens: ['a'], isPrefix: false },
      { tokens: ['plan'], isPrefix: true },
    ]);
    expect(queryPhrasesOf('plan a')).toEqual([
      { tokens: ['plan'], isPrefix: true },
      { tokens: ['a'], isPrefix: true },
    ]);
  });

  it('wants every part of a mixed query, once each', () => {
    expect(queryPhrasesOf('회의 MEETING 회의 meeting')).toEqual([
      { tokens: ['회의'], isPrefix: false },
      { tokens: ['meeting'], isPrefix: true },
    ]);
  });

  it('makes the same tokens of a query as of the text it should find', () => {
    const text = 'Ｃafé ① 東京';
    const query = queryPhrasesOf(text).flatMap((phrase) => phrase.tokens);
    expect(query).toEqual(indexTermsOf(text)!.words.split(' '));
  });

  it('finds nothing to look for in punctuation alone', () => {
    expect(queryPhrasesOf('?! …')).toEqual([]);
  });
});
