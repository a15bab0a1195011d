import { TRPCError } from '@trpc/server';
import type { SessionUser } from '../auth/session.ts';
import type { Deps } from '../deps.ts';
import { blobKeys } from '../files/fileServices.ts';
import { UploadRefusal, type InspectedUpload } from '../files/inspectUpload.ts';
import type { AttachmentView } from './messageView.ts';
import { cleanUploadName } from './uploadName.ts';

/** An upload as it arrived: spooled to a local file, with what the client said of it (believed for nothing but the name). */
export interface SpooledUpload {
  path: string;
  size: number;
  name: string;
  declaredType: string;
}

/**
 * Accepts a spooled upload: spends its bytes from the owner's daily allowance, learns its type from the
 * bytes, re-encodes an image (metadata dropped) with a thumbnail, stores the bytes, then records it
 * unattached. The bytes go first: a process that dies between leaves an unreferenced blob, never a row
 * that points at nothing.
 */
export async function storeUpload(
  deps: Pick<Deps, 'db' | 'files' | 'rateLimits' | 'clock' | 'newId'>,
  owner: SessionUser,
  upload: SpooledUpload,
): Promise<AttachmentView> {
  if (upload.size === 0) throw new TRPCError({ code: 'BAD_REQUEST', message: 'The file is empty' });
  const inspected = await inspect(deps, upload);
  const id = deps.newId();
  const keys = blobKeys(id);
  const name = cleanUploadName(upload.name);
  let size = upload.size;
  if (inspected.kind === 'image') {
    size = inspected.image.length;
    await deps.rateLimits.consumeUploadBytes(owner.id, size + inspected.thumbnail.length);
    await deps.files.store.put(keys.file, inspected.image, inspected.mime);
    await deps.files.store.put(keys.thumbnail, inspected.thumbnail, 'image/webp');
  } else {
    await deps.rateLimits.consumeUploadBytes(owner.id, size);
    await deps.files.store.put(keys.file, { path: upload.path, size }, inspected.mime);
  }
  const image = inspected.kind === 'image' ? inspected : null;
  await deps.db.attachment.create({
    data: {
      id,
      ownerId: owner.id,
      name,
      size,
      mime: inspected.mime,
      kind: inspected.kind,
      width: image?.width ?? null,
      height: image?.height ?? null,
      thumbWidth: image?.thumbnailWidth ?? null,
      thumbHeight: image?.thumbnailHeight ?? null,
      createdAt: deps.clock.now(),
    },
  });
  return {
    id,
    name,
    size,
    type: inspected.mime,
    kind: inspected.kind,
    image: image && { width: image.width, height: image.height, thumbnailWidth: image.thumbnailWidth, thumbnailHeight: image.thumbnailHeight },
  };
}

async function inspect(deps: Pick<Deps, 'files'>, upload: SpooledUpload): Promise<InspectedUpload> {
  try {
    return await deps.files.inspector.inspect(upload.path, { name: upload.name, contentType: upload.declaredType });
  } catch (error) {
    if (!(error instanceof UploadRefusal)) throw error;
    throw new TRPCError({ code: REFUSAL_CODES[error.code], message: error.message, cause: error });
  }
}

const REFUSAL_CODES = {
  unsupportedImage: 'UNSUPPORTED_MEDIA_TYPE',
  tooManyPixels: 'PAYLOAD_TOO_LARGE',
  damagedImage: 'UNPROCESSABLE_CONTENT',
  busy: 'SERVICE_UNAVAILABLE',
} as const satisfies Record<UploadRefusal['code'], TRPCError['code']>;
