import type { BlobStore } from './blobStore.ts';
import type { UploadInspector } from './inspectUpload.ts';

/** Where uploaded files go and what bounds them; built once by the composition root (or a test). */
export interface FileServices {
  /** The bytes: a folder on disk by default, an S3-compatible bucket when several machines share them. */
  store: BlobStore;
  /** Type from the bytes; images re-encoded with a thumbnail, behind a bounded queue. */
  inspector: UploadInspector;
  /** A local folder where an upload is spooled while it arrives and is inspected (never whole in memory). */
  spoolDir: string;
  /** One file's largest size. */
  maxBytes: number;
}

/** The blob keys of an attachment: its (re-encoded) bytes and, for an image, its thumbnail. */
export function blobKeys(attachmentId: string): { file: string; thumbnail: string } {
  return { file: `files/${attachmentId}`, thumbnail: `thumbnails/${attachmentId}` };
}
