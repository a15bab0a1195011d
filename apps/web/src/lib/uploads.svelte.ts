import type { AttachmentView } from '@parley/client';
import { MAX_ATTACHMENTS, readUploadResponse } from './uploadResponse.ts';

const UNREACHABLE = 'Could not reach Parley. Check your connection and try again.';

/**
 * Sends one file to POST /uploads (same origin: the session cookie authenticates) and resolves with the
 * stored attachment; rejects with an Error whose message is for the person, or with an AbortError when
 * `signal` aborts. XMLHttpRequest rather than fetch: only it reports upload progress.
 */
function uploadFile(file: File, options: { signal: AbortSignal; onProgress: (loaded: number, total: number) => void }): Promise<AttachmentView> {
  const { signal, onProgress } = options;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    };
    xhr.onload = () => {
      const outcome = readUploadResponse(xhr.status, xhr.responseText);
      if (outcome.ok) resolve(outcome.attachment);
      else reject(new Error(outcome.message));
    };
    xhr.onerror = () => reject(new Error(UNREACHABLE));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.open('POST', '/uploads');
    xhr.send(form);
    if (signal.aborted) xhr.abort();
  });
}

/** One file in the composer's tray: uploading (with progress), uploaded, or refused with the reason. */
export class PendingUpload {
  readonly key: number;
  readonly file: File;
  status = $state<'uploading' | 'done' | 'failed'>('uploading');
  /** Bytes of the request sent so far, and its size (a little more than the file: the multipart framing). */
  loaded = $state(0);
  total = $state(0);
  attachment = $state.raw<AttachmentView | null>(null);
  error = $state<string | null>(null);
  /** 0–100; 100 with the status still uploading means the server is checking the file (an image is re-encoded). */
  percent = $derived(this.total > 0 ? Math.min(100, Math.round((this.loaded / this.total) * 100)) : 0);
  #controller: AbortController | null = null;

  constructor(key: number, file: File) {
    this.key = key;
    this.file = file;
  }

  /** Starts (or, after a failure, restarts) the upload. */
  async start(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.status = 'uploading';
    this.error = null;
    this.loaded = 0;
    this.total = this.file.size;
    try {
      const attachment = await uploadFile(this.file, {
        signal: controller.signal,
        onProgress: (loaded, total) => {
          this.loaded = loaded;
          this.total = total;
        },
      });
      if (controller.signal.aborted) return;
      this.attachment = attachment;
      this.status = 'done';
    } catch (error) {
      if (controller.signal.aborted) return;
      this.error = error instanceof Error ? error.message : UNREACHABLE;
      this.status = 'failed';
    }
  }

  abort(): void {
    this.#controller?.abort();
  }
}

/**
 * The files of the message being written, in the order they were added: each uploads as soon as it is
 * added, and Send takes the ones that are done. At most MAX_ATTACHMENTS; more are refused with a note.
 */
export class PendingUploads {
  items = $state<PendingUpload[]>([]);
  /** Why files were not added (too many, or not now); cleared by the next add or send. */
  notice = $state<string | null>(null);
  isUploading = $derived(this.items.some((item) => item.status === 'uploading'));
  /** The uploaded files, in tray order: what Send attaches. */
  attachments = $derived(this.items.flatMap((item) => (item.status === 'done' && item.attachment ? [item.attachment] : [])));
  #nextKey = 0;

  add(files: readonly File[]): void {
    const room = Math.max(0, MAX_ATTACHMENTS - this.items.length);
    const taken = files.slice(0, room);
    const left = files.slice(room);
    this.notice = left.length
      ? `A message takes at most ${MAX_ATTACHMENTS} files; not added: ${left.map((file) => file.name || 'a pasted file').join(', ')}.`
      : null;
    for (const file of taken) {
      const item = new PendingUpload(this.#nextKey++, withName(file));
      this.items.push(item);
      void item.start();
    }
  }

  /** Cancels an upload still running, or takes a done or failed one out of the message. */
  remove(item: PendingUpload): void {
    item.abort();
    this.items = this.items.filter((other) => other !== item);
  }

  /** Empties the tray after a send (uploads still running are cancelled: Send waits for them, so there are none). */
  clear(): void {
    for (const item of this.items) item.abort();
    this.items = [];
    this.notice = null;
  }
}

/** A pasted image often has no name (or the browser's "image.png"); the server and the chips need one. */
function withName(file: File): File {
  if (file.name) return file;
  const extension = file.type.startsWith('image/') ? `.${file.type.slice('image/'.length).replace(/\+.*/, '')}` : '';
  return new File([file], `pasted-file${extension}`, { type: file.type, lastModified: file.lastModified });
}
