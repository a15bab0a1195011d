import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultServerUrl, toHttpUrl, toSocketUrl } from './serverUrl.ts';

afterEach(() => vi.unstubAllGlobals());

describe('server urls', () => {
  it('derives the WebSocket endpoint from an http(s) base, wss for https', () => {
    expect(toSocketUrl('http://localhost:3000')).toBe('ws://localhost:3000/trpc');
    expect(toSocketUrl('https://chat.example.com/')).toBe('wss://chat.example.com/trpc');
    expect(toSocketUrl('https://example.com/parley/')).toBe('wss://example.com/parley/trpc');
  });

  it('keeps a ws(s) endpoint as given and derives the HTTP endpoint from it', () => {
    expect(toSocketUrl('ws://127.0.0.1:4000/trpc')).toBe('ws://127.0.0.1:4000/trpc');
    expect(toHttpUrl('wss://chat.example.com/trpc')).toBe('https://chat.example.com/trpc');
    expect(toHttpUrl('http://127.0.0.1:4000?x=1#y')).toBe('http://127.0.0.1:4000/trpc');
  });

  it('refuses other schemes', () => {
    expect(() => toSocketUrl('ftp://example.com')).toThrow(/http\(s\):\/\/ or ws\(s\):\/\//);
  });

  it("defaults to the page's origin in a browser, so an https page gets wss", () => {
    vi.stubGlobal('location', { origin: 'https://chat.example.com' });
    expect(toSocketUrl(defaultServerUrl())).toBe('wss://chat.example.com/trpc');
  });

  it('asks for a url where there is no page', () => {
    vi.stubGlobal('location', undefined);
    expect(() => defaultServerUrl()).toThrow(/Pass the server url/);
  });
});
