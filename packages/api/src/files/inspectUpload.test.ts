import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUploadInspector, downloadContentType, UploadRefusal, type InspectedUpload, type UploadRefusalCode } from './inspectUpload.ts';

const inspector = createUploadInspector({ maxPixels: 50_000_000, concurrency: 2, maxQueued: 4 });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-inspect-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCount = 0;
function writeUpload(bytes: Buffer | string): string {
  const path = join(dir, `upload-${fileCount++}`); // no extension: only the bytes may decide
  writeFileSync(path, bytes);
  return path;
}

const noise = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: 'white', noise: { type: 'gaussian', mean: 128, sigma: 40 } } });
const solid = (width: number, height: number, background: string) => sharp({ create: { width, height, channels: 4, background } });

async function inspectImage(bytes: Buffer, declared = { name: 'picture', contentType: 'application/octet-stream' }) {
  const result = await inspector.inspect(writeUpload(bytes), declared);
  if (result.kind !== 'image') throw new Error(`expected an image, got ${JSON.stringify(result)}`);
  return result;
}

async function refusalOf(promise: Promise<unknown>): Promise<UploadRefusalCode> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof UploadRefusal)) throw new Error(`expected an UploadRefusal, got ${String(error)}`);
  return error.code;
}

async function expectCleanThumbnail(result: Extract<InspectedUpload, { kind: 'image' }>) {
  const thumb = await sharp(result.thumbnail).metadata();
  expect(thumb.format).toBe('webp');
  expect(thumb.pages ?? 1).toBe(1);
  expect([thumb.width, thumb.height]).toEqual([result.thumbnailWidth, result.thumbnailHeight]);
  expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(320);
  expect(thumb.exif).toBeUndefined();
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('inspecting an image upload', () => {
  it('strips EXIF with GPS, XMP and ICC from a JPEG and applies its orientation', async () => {
    // Stored 600×400, left half red and right half blue, tagged "rotate 90° clockwise to display".
    const left = await solid(300, 400, '#ff0000').png().toBuffer();
    const jpeg = await solid(600, 400, '#0000ff')
      .composite([{ input: left, left: 0, top: 0 }])
      .jpeg()
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD0: { Copyright: 'Alice' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 1234/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 3900/100' },
      })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret>home-address</secret></x:xmpmeta>')
      .withIccProfile('p3')
      .toBuffer();
    const before = await sharp(jpeg).metadata();
    expect(before.exif?.includes('Alice')).toBe(true); // the fixture really carries what must go
    expect(before.xmp).toBeDefined();
    expect(before.icc).toBeDefined();

    const result = await inspectImage(jpeg);

    expect(result.mime).toBe('image/jpeg');
    expect([result.width, result.height]).toEqual([400, 600]);
    const after = await sharp(result.image).metadata();
    expect(after).toMatchObject({ format: 'jpeg', width: 400, height: 600 });
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.orientation ?? 1).toBe(1);
    for (const leak of ['Exif', 'Alice', 'home-address']) expect(result.image.includes(leak)).toBe(false);
    // Turned upright: the stored left half (red) is now on top.
    const { data } = await sharp(result.image).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...data.subarray((y * 400 + x) * 3, (y * 400 + x) * 3 + 3)];
    expect(pixel(200, 100)[0]).toBeGreaterThan(200);
    expect(pixel(200, 500)[2]).toBeGreaterThan(200);
    expect(result.thumbnailHeight).toBe(320);
    await expectCleanThumbnail(result);
  });

  it('re-encodes a PNG as PNG with a thumbnail that fits 320×320', async () => {
    const result = await inspectImage(await noise(800, 600).png().toBuffer());
    expect(result).toMatchObject({ mime: 'image/png', width: 800, height: 600, thumbnailWidth: 320, thumbnailHeight: 240 });
    expect((await sharp(result.image).metadata()).format).toBe('png');
    await expectCleanThumbnail(result);
  });

  it('never enlarges a small image for its thumbnail', async () => {
    const result = await inspectImage(await noise(100, 50).webp().toBuffer());
    expect(result).toMatchObject({ mime: 'image/webp', width: 100, height: 50, thumbnailWidth: 100, thumbnailHeight: 50 });
    await expectCleanThumbnail(result);
  });

  it('keeps an animated GIF animated and reports one frame’s size', async () => {
    const frames = await Promise.all(['#ff0000', '#0000ff'].map((colour) => solid(60, 40, colour).png().toBuffer()));
    const gif = await sharp(frames, { join: { animated: true } })
      .gif({ delay: [100, 200], loop: 0 })
      .toBuffer();

    const result = await inspectImage(gif);

    expect(result).toMatchObject({ mime: 'image/gif', width: 60, height: 40 });
    const after = await sharp(result.image).metadata();
    expect(after).toMatchObject({ format: 'gif', pages: 2, width: 60, height: 40, delay: [100, 200] });
    await expectCleanThumbnail(result);
    expect([result.thumbnailWidth, result.thumbnailHeight]).toEqual([60, 40]);
  });

  it('keeps an animated WebP animated', async () => {
    const frames = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map((colour) => solid(500, 250, colour).png().toBuffer()));
    const result = await inspectImage(
      await sharp(frames, { join: { animated: true } })
        .webp()
        .toBuffer(),
    );
    expect(result).toMatchObject({ mime: 'image/webp', width: 500, height: 250, thumbnailWidth: 320, thumbnailHeight: 160 });
    expect((await sharp(result.image).metadata()).pages).toBe(3);
    await expectCleanThumbnail(result);
  });

  it('goes by the bytes: a PNG named photo.txt and declared text/plain is still an image', async () => {
    const result = await inspector.inspect(writeUpload(await noise(20, 20).png().toBuffer()), { name: 'photo.txt', contentType: 'text/plain' });
    expect(result).toMatchObject({ kind: 'image', mime: 'image/png' });
  });

  it('drops the HTML hidden in a PNG polyglot (text chunk and trailing bytes)', async () => {
    const png = await noise(40, 30).png().toBuffer();
    const iend = png.length - 12;
    const script = '<script>alert(document.cookie)</script>';
    const polyglot = Buffer.concat([
      png.subarray(0, iend),
      pngChunk('tEXt', Buffer.from(`Comment\0${script}`, 'latin1')),
      png.subarray(iend),
      Buffer.from(`<html><body>${script}</body></html>`),
    ]);

    const result = await inspectImage(polyglot, { name: 'cat.png', contentType: 'image/png' });

    expect(result).toMatchObject({ mime: 'image/png', width: 40, height: 30 });
    expect(result.image.includes('<script')).toBe(false);
    expect(result.thumbnail.includes('<script')).toBe(false);
  });

  it('refuses a tiny PNG that claims 100000×100000 pixels as tooManyPixels, before decoding it', async () => {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(100_000, 0);
    header.writeUInt32BE(100_000, 4);
    header[8] = 8; // bit depth
    header[9] = 2; // RGB
    const bomb = Buffer.concat([
      PNG_SIGNATURE,
      pngChunk('IHDR', header),
      pngChunk('IDAT', deflateSync(Buffer.alloc(4096))),
      pngChunk('IEND', Buffer.alloc(0)),
    ]);
    expect(bomb.length).toBeLessThan(200);

    const started = performance.now();
    const error = await inspector.inspect(writeUpload(bomb), { name: 'bomb.png', contentType: 'image/png' }).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(UploadRefusal);
    expect((error as UploadRefusal).code).toBe('tooManyPixels');
    expect((error as UploadRefusal).message).toMatch(/100000×100000/);
  });

  it('refuses an animation whose frames add up past the pixel limit', async () => {
    const small = createUploadInspector({ maxPixels: 100 * 100 * 2, concurrency: 1, maxQueued: 0 });
    const frames = await Promise.all(['#ff0000', '#00ff00', '#0000ff'].map((colour) => solid(100, 100, colour).png().toBuffer()));
    const gif = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    expect(await refusalOf(small.inspect(writeUpload(gif), { name: 'a.gif', contentType: 'image/gif' }))).toBe('tooManyPixels');
  });

  it('refuses the first half of a JPEG as damagedImage', async () => {
    const jpeg = await noise(1200, 900).jpeg().toBuffer();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    expect(await refusalOf(inspector.inspect(writeUpload(truncated), { name: 'cut.jpg', contentType: 'image/jpeg' }))).toBe('damagedImage');
  });
});

describe('inspecting a file that only claims to be an image', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script></svg>';

  it('refuses HTML named x.png, saying what the bytes are not', async () => {
    const html = '<!doctype html><html><body><script>alert(1)</script></body></html>';
    const error = await inspector.inspect(writeUpload(html), { name: 'x.png', contentType: 'application/octet-stream' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadRefusal);
    expect((error as UploadRefusal).code).toBe('unsupportedImage');
    expect((error as UploadRefusal).message).toMatch(/not an image; images must be JPEG, PNG, WebP or GIF/);
  });

  it('refuses an SVG with a script, whether named a.svg or declared image/svg+xml', async () => {
    const path = writeUpload(svg);
    expect(await refusalOf(inspector.inspect(path, { name: 'a.svg', contentType: 'application/octet-stream' }))).toBe('unsupportedImage');
    expect(await refusalOf(inspector.inspect(path, { name: 'drawing', contentType: 'image/svg+xml' }))).toBe('unsupportedImage');
    expect(await refusalOf(inspector.inspect(path, { name: 'A.SVG', contentType: '' }))).toBe('unsupportedImage');
  });

  it('refuses a TIFF named as an image, naming its real type', async () => {
    const tiff = await noise(10, 10).tiff().toBuffer();
    const error = await inspector.inspect(writeUpload(tiff), { name: 'scan.tiff', contentType: 'image/tiff' }).catch((e: unknown) => e);
    expect((error as UploadRefusal).code).toBe('unsupportedImage');
    expect((error as UploadRefusal).message).toMatch(/its bytes are image\/tiff/);
  });

  it('accepts the same SVG as a plain file, served so a browser will not render it', async () => {
    const result = await inspector.inspect(writeUpload(svg), { name: 'a.txt', contentType: 'text/plain' });
    expect(result).toEqual({ kind: 'file', mime: 'application/octet-stream' });
    expect(downloadContentType(result.mime)).toBe('application/octet-stream');
  });

  it('detects a PDF from its bytes', async () => {
    const pdf =
      '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n';
    const result = await inspector.inspect(writeUpload(pdf), { name: 'report', contentType: 'application/octet-stream' });
    expect(result).toEqual({ kind: 'file', mime: 'application/pdf' });
  });
});

describe('image work budget', () => {
  it('refuses a second image as busy while one is decoding, when nothing may queue', async () => {
    const busy = createUploadInspector({ maxPixels: 50_000_000, concurrency: 1, maxQueued: 0 });
    const path = writeUpload(await noise(1500, 1000).jpeg().toBuffer());
    const declared = { name: 'big.jpg', contentType: 'image/jpeg' };

    const results = await Promise.allSettled([busy.inspect(path, declared), busy.inspect(path, declared)]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected');
    expect((refused?.reason as UploadRefusal).code).toBe('busy');
    // The slot is free again afterwards.
    expect((await busy.inspect(path, declared)).kind).toBe('image');
  });

  it('queues up to maxQueued and refuses the rest', async () => {
    const queued = createUploadInspector({ maxPixels: 50_000_000, concurrency: 1, maxQueued: 1 });
    const path = writeUpload(await noise(1500, 1000).jpeg().toBuffer());
    const declared = { name: 'big.jpg', contentType: 'image/jpeg' };

    const results = await Promise.allSettled([0, 1, 2].map(() => queued.inspect(path, declared)));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as UploadRefusal).code] : []))).toEqual(['busy']);
  });
});

describe('download content type', () => {
  it.each([
    'text/html',
    'image/svg+xml',
    'application/xml',
    'text/xml',
    'application/xhtml+xml',
    'text/javascript',
    'image/tiff',
    'text/plain',
    'unknown',
  ])('serves %s as application/octet-stream', (mime) => {
    expect(downloadContentType(mime)).toBe('application/octet-stream');
  });

  it.each(['image/png', 'image/jpeg', 'video/mp4', 'audio/mpeg', 'application/pdf', 'application/zip'])('serves %s as itself', (mime) => {
    expect(downloadContentType(mime)).toBe(mime);
  });
});
