import { describe, expect, it } from 'vitest';
import { replySnippet as serverSnippet } from '@parley/api/domain/messageView';
import { replySnippet } from './replySnippet.ts';

describe("the client's reply snippet", () => {
  it("follows the server's rule, so a quote updated live reads as history shows it", () => {
    for (const body of ['short', '  spaced\n\tout  ', 'x'.repeat(500), '😀'.repeat(130), '']) expect(replySnippet(body)).toBe(serverSnippet(body));
  });
});
