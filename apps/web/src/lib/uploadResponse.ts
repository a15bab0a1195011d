import type { AttachmentView } from '@parley/client';

export type UploadOutcome = { ok: true; attachment: AttachmentView } | { ok: false; message: string };

/** How many files one message takes (the server's limit on message.send's attachmentIds). */
export const MAX_ATTACHMENTS = 10;

/**
 * What POST /uploads answered, read from its status and body: the stored attachment (201), or a sentence
 * for the person — the server's own `error.message` when it sent one, which says what to do (too large,
 * not really an image, too fast); otherwise a general one by status.
 */
export function readUploadResponse(status: number, body: string): UploadOutcome {
  const json = parseJson(body);
  if (status >= 200 && status < 300) {
    if (isAttachment(json)) return { ok: true, attachment: json };
    return { ok: false, message: 'The server answered the upload with something unexpected. Try again.' };
  }
  const error = (json as { error?: unknown } | null)?.error;
  const message = typeof error === 'string' ? error : (error as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message.trim()) return { ok: false, message: message.trim() };
  if (status === 401) return { ok: false, message: 'Your session has ended. Please log in again.' };
  if (status === 413) return { ok: false, message: 'That file is too large to send.' };
  if (status === 429) return { ok: false, message: 'Too many uploads. Wait a moment and try again.' };
  return { ok: false, message: `The upload failed (HTTP ${status}). Try again.` };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

function isAttachment(value: unknown): value is AttachmentView {
  const v = value as Partial<AttachmentView> | null;
  return !!v && typeof v.id === 'string' && typeof v.name === 'string' && typeof v.size === 'number' && (v.kind === 'image' || v.kind === 'file');
}
