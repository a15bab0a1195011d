import { describe, expect, it } from 'vitest';
import type { AttachmentView } from '@parley/client';
import { readUploadResponse } from './uploadResponse.ts';

const photo: AttachmentView = {
  id: 'a1',
  name: 'photo.png',
  size: 2048,
  type: 'image/png',
  kind: 'image',
  image: { width: 640, height: 480, thumbnailWidth: 320, thumbnailHeight: 240 },
};

describe('readUploadResponse', () => {
  it('returns the stored attachment of a 201', () => {
    expect(readUploadResponse(201, JSON.stringify(photo))).toEqual({ ok: true, attachment: photo });
  });

  it("shows the server's message of a refusal", () => {
    const body = JSON.stringify({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'fake.png is named as an image but its bytes are HTML' } });
    expect(readUploadResponse(415, body)).toEqual({ ok: false, message: 'fake.png is named as an image but its bytes are HTML' });
  });

  it('takes an error given as a bare string', () => {
    expect(readUploadResponse(503, JSON.stringify({ error: 'Server is shutting down; retry' }))).toEqual({
      ok: false,
      message: 'Server is shutting down; retry',
    });
  });

  it('words a refusal without a JSON body by its status', () => {
    expect(readUploadResponse(413, '<html>Request Entity Too Large</html>')).toEqual({ ok: false, message: 'That file is too large to send.' });
    expect(readUploadResponse(502, '')).toEqual({ ok: false, message: 'The upload failed (HTTP 502). Try again.' });
  });

  it('does not take a success without an attachment for one', () => {
    expect(readUploadResponse(200, '<!doctype html>').ok).toBe(false);
    expect(readUploadResponse(201, JSON.stringify({ id: 'a1' })).ok).toBe(false);
  });
});
