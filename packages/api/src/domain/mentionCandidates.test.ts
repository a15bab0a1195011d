import { describe, expect, it } from 'vitest';
import { mentionCandidates } from './mentionCandidates.ts';

describe('mention candidates', () => {
  it('are the @names of a body, once each, in order, without a sentence-ending dot', () => {
    expect(mentionCandidates('@ada and @bo_b, then @ada again. Thanks @cy.d.')).toEqual(['ada', 'bo_b', 'cy.d']);
  });

  it('are not e-mail addresses, too-short names or bare @', () => {
    expect(mentionCandidates('mail ada@example.com or @x or @ alone')).toEqual([]);
  });

  it('stop at a bound, however many names a hostile body holds', () => {
    const body = Array.from({ length: 400 }, (_, i) => `@user${i}`).join(' ');
    expect(mentionCandidates(body)).toHaveLength(50);
  });
});
