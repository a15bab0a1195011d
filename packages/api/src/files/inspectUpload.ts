import { fileTypeFromFile } from 'file-type';
import sharp, { type Sharp } from 'sharp';

const SUPPORTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'] as const;
type SupportedImageType = (typeof SUPPORTED_IMAGE_TYPES)[number];

export type InspectedUpload =
  | {
      kind: 'image';
      mime: SupportedImageType;
      width: number;
      height: number;
      /** Re-encoded: EXIF/GPS/XMP/ICC comments dropped, orientation applied. */
      image: Buffer;
      /** image/webp, fits in 320×320. */
      thumbnail: Buffer;
      thumbnailWidth: number;
      thumbnailHeight: number;
    }
  | {
      kind: 'file';
      /** What the bytes are (file-type), or application/octet-stream. */
      mime: string;
    };

export type UploadRefusalCode = 'unsupportedImage' | 'tooManyPixels' | 'damagedImage' | 'busy';

/** An upload the server will not store, with a message meant for the person who sent it. */
export class UploadRefusal extends Error {
  constructor(
    readonly code: UploadRefusalCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UploadRefusal';
  }
}

export interface UploadInspector {
  /** What the file at path is, from its bytes; images come back cleaned and with a thumbnail. Throws UploadRefusal. */
  inspect(path: string, declared: { name: string; contentType: string }): Promise<InspectedUpload>;
}

const THUMBNAIL_SIZE = 320;
const IMAGE_EXTENSIONS = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp', 'avif', 'heic', 'heif', 'tif', 'tiff', 'ico']);

/** Inspects uploads with at most `concurrency` images decoding at once and `maxQueued` waiting; more are refused as busy. */
export function createUploadInspector(o: { maxPixels: number; concurrency: number; maxQueued: number }): UploadInspector {
  // Process-wide settings. One libvips thread per image: `concurrency` then bounds image work in cores, and on
  // a 2-core machine one large decode cannot take both cores from the event loop serving chat. (sharp already
  // defaults to 1 on glibc without jemalloc, but elsewhere to the core count.) No cache: every upload is a
  // new file, and libvips caches file inputs by path, so a reused temp path could otherwise hit a stale entry.
  sharp.concurrency(1);
  sharp.cache(false);
  const imageWork = createWorkLimit(o.concurrency, o.maxQueued);

  return {
    async inspect(path, declared) {
      const detected = (await fileTypeFromFile(path))?.mime;
      // An animated PNG is a PNG to libvips (it decodes the first frame), so it is kept as a still PNG.
      const mime = detected === 'image/apng' ? 'image/png' : detected;
      if (isSupportedImageType(mime)) return imageWork.run(() => processImage(path, mime, o.maxPixels));
      if (claimsImage(declared)) {
        throw new UploadRefusal(
          'unsupportedImage',
          `This file is named or declared as an image but its bytes are ${mime ?? 'not an image'}; images must be JPEG, PNG, WebP or GIF`,
        );
      }
      return { kind: 'file', mime: mime ?? 'application/octet-stream' };
    },
  };
}

async function processImage(path: string, mime: SupportedImageType, maxPixels: number): Promise<InspectedUpload> {
  // The header alone, unlimited, so the size check below can name the dimensions; a tiny file can claim
  // 100000×100000, and nothing is decoded until it passes. Without `animated`, height is one frame's.
  const header = await refuseUndecodable(sharp(path, { limitInputPixels: false }).metadata());
  const frames = header.pages ?? 1;
  if (header.width * header.height * frames > maxPixels) {
    const size = `${header.width}×${header.height}${frames > 1 ? ` × ${frames} frames` : ''}`;
    throw new UploadRefusal('tooManyPixels', `The image is ${size} pixels; the limit is ${maxPixels} pixels in all`);
  }
  const isAnimated = frames > 1 && (mime === 'image/gif' || mime === 'image/webp');
  // libvips cannot rotate a multi-page image, so an animated one keeps its stored orientation (and loses the
  // tag, like all metadata): rare, and better than refusing it. limitInputPixels stays as a second guard.
  const open = (animated: boolean) => sharp(path, { limitInputPixels: maxPixels, failOn: 'error', animated, autoOrient: !isAnimated });

  // No withMetadata/keep*: sharp then writes no EXIF, XMP, IPTC, ICC (pixels converted to sRGB) or comments,
  // and bytes outside the image (a polyglot's HTML tail) are never copied since only pixels are re-encoded.
  const full = await refuseUndecodable(encodeAs(open(isAnimated), mime).toBuffer({ resolveWithObject: true }));
  const thumbnail = await refuseUndecodable(
    open(false) // the first frame
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp()
      .toBuffer({ resolveWithObject: true }),
  );
  return {
    kind: 'image',
    mime,
    width: full.info.width,
    height: full.info.pageHeight ?? full.info.height, // an animation's output is a strip of frames
    image: full.data,
    thumbnail: thumbnail.data,
    thumbnailWidth: thumbnail.info.width,
    thumbnailHeight: thumbnail.info.height,
  };
}

function encodeAs(image: Sharp, mime: SupportedImageType): Sharp {
  switch (mime) {
    case 'image/jpeg':
      return image.jpeg();
    case 'image/png':
      return image.png();
    case 'image/webp':
      return image.webp();
    case 'image/gif':
      return image.gif();
  }
}

async function refuseUndecodable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/pixel limit/i.test(message)) throw new UploadRefusal('tooManyPixels', 'The image has more pixels than the server accepts', { cause: error });
    if (/^Input file is missing/.test(message)) throw error; // the server lost its temp file: not the sender's fault
    // libvips's own words can include the temp path; they go to the log through `cause`, not to the sender.
    throw new UploadRefusal('damagedImage', 'The image could not be decoded: it is truncated or damaged', { cause: error });
  }
}

function isSupportedImageType(mime: string | undefined): mime is SupportedImageType {
  return (SUPPORTED_IMAGE_TYPES as readonly (string | undefined)[]).includes(mime);
}

function claimsImage(declared: { name: string; contentType: string }): boolean {
  const dot = declared.name.lastIndexOf('.');
  const extension = dot === -1 ? '' : declared.name.slice(dot + 1).toLowerCase();
  return IMAGE_EXTENSIONS.has(extension) || declared.contentType.trim().toLowerCase().startsWith('image/');
}

// A slot is handed straight from a finishing job to the next waiter, so `running` never dips and lets a
// newcomer overtake the queue. Refusing past maxQueued is the point: a stranger cannot park unbounded CPU work.
function createWorkLimit(concurrency: number, maxQueued: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running < concurrency) running++;
      else if (waiting.length < maxQueued) await new Promise<void>((resolve) => waiting.push(resolve));
      else throw new UploadRefusal('busy', 'The server is busy with other images; try again in a moment');
      try {
        return await work();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running--;
      }
    },
  };
}

// Types a browser shows inertly (media, archives, office files) or only downloads. Anything else, known or
// not, is served as octet-stream, so a new active type (HTML, SVG, XML, JS, XSLT, …) cannot run on our origin.
// PDF is on the list: browsers render it in their own sandboxed viewer, without access to the page's origin.
const INERT_DOWNLOAD_TYPES = new Set([
  ...SUPPORTED_IMAGE_TYPES,
  'image/avif',
  'image/bmp',
  'audio/aac',
  'audio/flac',
  'audio/mp4',
  'audio/mpeg',
  'audio/ogg',
  'audio/ogg; codecs=opus',
  'audio/wav',
  'audio/x-m4a',
  'video/mp4',
  'video/ogg',
  'video/quicktime',
  'video/webm',
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-7z-compressed',
  'application/x-bzip2',
  'application/x-rar-compressed',
  'application/x-tar',
  'application/x-xz',
  'application/zstd',
  'application/epub+zip',
  'application/vnd.oasis.opendocument.presentation',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
]);

/** The Content-Type a download is served with: its detected type unless a browser could run or render it as a document (HTML, SVG, XML, JS, …): then application/octet-stream. Allowlist, not denylist. */
export function downloadContentType(mime: string): string {
  const normalized = mime.trim().toLowerCase();
  return INERT_DOWNLOAD_TYPES.has(normalized) ? normalized : 'application/octet-stream';
}
