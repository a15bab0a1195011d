import type { Readable } from 'node:stream';

/** Where uploaded bytes live: a folder on disk or an S3-compatible bucket, chosen in main.ts. */
export interface BlobStore {
  /** Stores bytes under key, replacing any blob there. A file source is streamed, never read whole into memory. */
  put(key: string, body: Buffer | { path: string; size: number }, contentType: string): Promise<void>;
  /** The blob's bytes, or null when there is none. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>;
  /** Removes blobs; a missing one is not an error. */
  delete(keys: readonly string[]): Promise<void>;
  close(): void;
}

// Segments of letters, digits, `_` and `-` joined by single slashes: no dots at all (so no `..` and no hidden
// or temp names), no leading slash, no empty segment. The disk store joins keys onto its folder, so a key
// that slipped past this could name a file outside it.
const BLOB_KEY = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;
const MAX_BLOB_KEY_LENGTH = 512;

/** Throws unless key is one the server would make, like `ab/<id>` or `<id>/thumb`. */
export function assertBlobKey(key: string): void {
  if (key.length > MAX_BLOB_KEY_LENGTH || !BLOB_KEY.test(key)) throw new Error(`invalid blob key ${JSON.stringify(key.slice(0, 100))}`);
}
