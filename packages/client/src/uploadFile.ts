import { defaultServerUrl, toHttpUrl } from './serverUrl.ts';
import type { AttachmentView } from './types.ts';

export interface UploadFileOptions {
  /** http(s):// base; in a browser, defaults to the page's origin. */
  url?: string;
  /** Sent as a bearer token; browsers leave it out and the session cookie is used. */
  token?: string;
  signal?: AbortSignal;
}

/** An upload the server refused: `code` is the tRPC code its JSON names (PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, …). */
export class UploadError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

/**
 * Uploads one file (POST /uploads) and resolves with its attachment, to send with
 * `message.send({ threadId, body, attachmentIds: [attachment.id] })` within a day.
 */
export async function uploadFile(file: Blob, name: string, options: UploadFileOptions = {}): Promise<AttachmentView> {
  const base = new URL(toHttpUrl(options.url ?? defaultServerUrl()));
  const form = new FormData();
  form.append('file', file, name);
  const response = await fetch(new URL('/uploads', base), {
    method: 'POST',
    body: form,
    ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const answer = (await response.json().catch(() => null)) as (AttachmentView & { error?: { code: string; message: string } }) | null;
  if (response.status === 201 && answer && !answer.error) return answer;
  throw new UploadError(
    answer?.error?.code ?? 'INTERNAL_SERVER_ERROR',
    response.status,
    answer?.error?.message ?? `Upload failed (${response.status})`,
  );
}
