import { describe, expect, it } from 'vitest';
import { fileSize } from './fileSize.ts';

describe('fileSize', () => {
  it('counts bytes below a kilobyte as bytes', () => {
    expect(fileSize(0)).toBe('0 B');
    expect(fileSize(1023)).toBe('1023 B');
  });

  it('shows one decimal below 10 of a unit and none above', () => {
    expect(fileSize(1024)).toBe('1 KB');
    expect(fileSize(1229)).toBe('1.2 KB');
    expect(fileSize(1.25 * 1024 * 1024)).toBe('1.3 MB');
    expect(fileSize(25 * 1024 * 1024)).toBe('25 MB');
  });

  it('moves to the next unit rather than showing 1024 of one', () => {
    expect(fileSize(1024 * 1024)).toBe('1 MB');
    expect(fileSize(3 * 1024 ** 3)).toBe('3 GB');
  });
});
