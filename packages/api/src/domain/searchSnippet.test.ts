import { describe, expect, it } from 'vitest';
import { searchSnippet } from './searchSnippet.ts';

const marked = (segments: ReturnType<typeof searchSnippet>) => segments.map((s) => (s.match ? `[${s.text}]` : s.text)).join('');

describe('searchSnippet', () => {
  it('marks the query’s Korean word inside the word it is glued to, and each one-syllable match', () => {
    expect(marked(searchSnippet('내일 회의는 10시', '회의'))).toBe('내일 [회의]는 10시');
    expect(marked(searchSnippet('회의를 했다', '회'))).toBe('[회]의를 했다');
  });

  it('marks the whole word a prefix matched, whatever its case and accents', () => {
    expect(marked(searchSnippet('Notes from the MEETINGS at the Café', 'meeting cafe'))).toBe('Notes from the [MEETINGS] at the [Café]');
  });

  it('marks "10시" as one match, the particle after it not', () => {
    expect(marked(searchSnippet('회의는 10시에', '10시'))).toBe('회의는 [10시]에');
  });

  it('cuts a long text to a window around the first match, at a word, and says so', () => {
    const body = `${'lorem ipsum '.repeat(20)}the deadline is friday ${'dolor sit '.repeat(20)}`;
    const text = marked(searchSnippet(body, 'deadline'));
    expect(text).toMatch(/^…[a-z ]*the \[deadline\] is friday [a-z ]*…$/);
    expect(text.length).toBeLessThan(140);
    expect(text).not.toMatch(/…\S*m ipsum/); // starts at a word
  });

  it('shows whitespace as single spaces and the start of the text when nothing is marked', () => {
    expect(searchSnippet('line one\n\nline   two', 'zzz')).toEqual([{ text: 'line one line two', match: false }]);
  });

  it('never splits a surrogate pair', () => {
    const body = `${'😀'.repeat(80)} hello`;
    for (const segment of searchSnippet(body, 'hello')) expect(segment.text.isWellFormed()).toBe(true);
  });
});
