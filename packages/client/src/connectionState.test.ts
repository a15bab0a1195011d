import { describe, expect, it } from 'vitest';
import { toConnectionState } from './connectionState.ts';

describe('toConnectionState', () => {
  it('tells a first connect from a reconnect by whether the socket was ever open', () => {
    expect(toConnectionState('connecting', false)).toBe('connecting');
    expect(toConnectionState('pending', false)).toBe('open');
    expect(toConnectionState('connecting', true)).toBe('reconnecting');
    expect(toConnectionState('idle', true)).toBe('closed');
  });
});
