import { describe, expect, it } from 'vitest';
import { newTimeOrderedId } from './ids.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newTimeOrderedId', () => {
  it('makes RFC 9562 version-7 UUIDs that carry the time', () => {
    const at = Date.UTC(2026, 10, 25, 12, 0, 0, 123);
    const id = newTimeOrderedId(at);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts ids made in later milliseconds after earlier ones, and never repeats', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => newTimeOrderedId(1_700_000_000_000 + Math.floor(i / 10)));
    const laterMs = ids.filter((_, i) => i % 10 === 0);
    expect([...laterMs].sort()).toEqual(laterMs);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
