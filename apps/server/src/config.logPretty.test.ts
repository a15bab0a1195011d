import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('LOG_PRETTY', () => {
  it('defaults to auto, so the logger follows whether stdout is a terminal', () => {
    expect(parseConfig({}).logPretty).toBe('auto');
  });

  it('keeps true/1 and false/0 as overrides of the terminal check', () => {
    expect(parseConfig({ LOG_PRETTY: 'true' }).logPretty).toBe(true);
    expect(parseConfig({ LOG_PRETTY: '1' }).logPretty).toBe(true);
    expect(parseConfig({ LOG_PRETTY: 'false' }).logPretty).toBe(false);
    expect(parseConfig({ LOG_PRETTY: '0' }).logPretty).toBe(false);
  });

  it('rejects any other value naming the variable', () => {
    expect(() => parseConfig({ LOG_PRETTY: 'yes' })).toThrow(ConfigError);
    expect(() => parseConfig({ LOG_PRETTY: 'yes' })).toThrow(/LOG_PRETTY/);
  });
});
