import { describe, expect, it } from 'vitest';
import { applicationServerKey } from './vapidKey.ts';

describe('applicationServerKey', () => {
  it('decodes base64url without padding, - and _ included', () => {
    expect([...applicationServerKey('-_8')]).toEqual([0xfb, 0xff]);
    expect([...applicationServerKey('AQID')]).toEqual([1, 2, 3]);
  });

  it('takes a padded key too', () => {
    expect([...applicationServerKey('AQI=')]).toEqual([1, 2]);
  });

  it('gives the 65 bytes of an uncompressed P-256 key', () => {
    const key = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
    const bytes = applicationServerKey(key);
    expect(bytes).toHaveLength(65);
    expect(bytes[0]).toBe(4);
  });
});
