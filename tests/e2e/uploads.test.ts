import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { httpClient, signUpOverHttp } from '../helpers/trpcClients.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { fetchFile, jpegWithGps, partialUpload, PDF_BYTES, png, uploadOverHttp } from '../helpers/uploads.ts';

const MAX_BYTES = 512 * 1024;

let server: TestServer;
type Person = Awaited<ReturnType<typeof signUpOverHttp>>;
let alice: Person;
let bob: Person;
let carol: Person;
let threadId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { UPLOAD_MAX_BYTES: String(MAX_BYTES) } });
  alice = await signUpOverHttp(server.url, 'alice');
  bob = await signUpOverHttp(server.url, 'bob');
  carol = await signUpOverHttp(server.url, 'carol');
  threadId = (await as(alice).thread.getOrCreate.mutate({ username: 'bob' })).id;
}, 30_000);

afterAll(async () => {
  await server?.close();
});

const as = (who: { token: string }) => httpClient(server.url, { authorization: `Bearer ${who.token}` });
const storedUploads = () => server.parley.deps.db.attachment.count();

/** Uploads bytes as Alice and sends them into her thread with Bob; returns the attachment id. */
async function sendFile(bytes: Uint8Array, name: string, type?: string): Promise<string> {
  const upload = await uploadOverHttp(server.url, alice.token, bytes, name, type);
  expect(upload.status, JSON.stringify(upload.body)).toBe(201);
  const id = upload.body.id!;
  await as(alice).message.send.mutate({ threadId, body: '', attachmentIds: [id] });
  return id;
}

/** A PNG whose header claims width × height, with almost no pixel data: a decompression bomb of dimensions. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

describe('uploading and fetching files', () => {
  it('re-encodes a photo without its EXIF and GPS, makes a thumbnail, and shows both to members only', async () => {
    const photo = await jpegWithGps();
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const upload = await uploadOverHttp(server.url, alice.token, photo, 'holiday.jpg', 'image/jpeg');
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ name: 'holiday.jpg', type: 'image/jpeg', kind: 'image', image: { width: 640, height: 480 } });
    const id = upload.body.id!;

    // Before it is sent only its uploader may fetch it.
    expect((await fetchFile(server.url, alice.token, `/files/${id}`)).status).toBe(200);
    expect((await fetchFile(server.url, bob.token, `/files/${id}`)).status).toBe(404);

    const sent = await as(alice).message.send.mutate({ threadId, body: 'look', attachmentIds: [id] });
    expect(sent.attachments).toEqual([upload.body]);
    const page = await as(bob).message.list.query({ threadId });
    expect(page.messages.at(-1)?.attachments).toEqual([upload.body]);

    const full = await fetchFile(server.url, bob.token, `/files/${id}`);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('image/jpeg');
    expect(full.headers.get('content-disposition')).toMatch(/^inline; filename="holiday.jpg"/);
    const metadata = await sharp(full.bytes).metadata();
    expect(metadata).toMatchObject({ width: 640, height: 480, format: 'jpeg' });
    expect(metadata.exif, 'EXIF (with GPS) must not survive').toBeUndefined();
    expect(full.bytes.includes(Buffer.from('PhoneCo'))).toBe(false);

    const thumbnail = await fetchFile(server.url, bob.token, `/files/${id}/thumbnail`);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    const thumb = await sharp(thumbnail.bytes).metadata();
    expect(Math.max(thumb.width!, thumb.height!)).toBeLessThanOrEqual(320);

    const download = await fetchFile(server.url, bob.token, `/files/${id}?download`);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);

    for (const stranger of [carol.token, null, 'not-a-token']) {
      const refused = await fetchFile(server.url, stranger, `/files/${id}`);
      expect(refused.status).toBe(404);
      expect(refused.bytes.toString()).not.toContain('holiday');
    }
  });

  it('serves other files as downloads that a browser will not run: attachment, nosniff, a sandboxing CSP', async () => {
    const pdf = await sendFile(PDF_BYTES, 'report.pdf');
    const html = await sendFile(Buffer.from('<html><script>alert(document.cookie)</script></html>'), 'page.html', 'text/html');
    const svgAsText = await sendFile(
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'notes.txt',
      'text/plain',
    );
    for (const [id, type] of [
      [pdf, 'application/pdf'],
      [html, 'application/octet-stream'],
      [svgAsText, 'application/octet-stream'],
    ] as const) {
      const file = await fetchFile(server.url, bob.token, `/files/${id}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe(type);
      expect(file.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(file.headers.get('x-content-type-options')).toBe('nosniff');
      expect(file.headers.get('content-security-policy')).toMatch(/sandbox/);
      expect(file.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    }
    expect((await fetchFile(server.url, bob.token, `/files/${pdf}`)).bytes.equals(PDF_BYTES)).toBe(true);
    expect((await fetchFile(server.url, bob.token, `/files/${pdf}/thumbnail`)).status).toBe(404);
  });

  it('refuses files that lie about being images, and stores nothing for them', async () => {
    const before = await storedUploads();
    const lies: Array<[Uint8Array, string, string]> = [
      [Buffer.from('<!doctype html><script>alert(1)</script>'), 'cat.png', 'image/png'],
      [Buffer.from('<!doctype html><script>alert(1)</script>'), 'cat.png', 'application/octet-stream'],
      [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'), 'logo.svg', 'image/svg+xml'],
      [PDF_BYTES, 'scan.jpg', 'image/jpeg'],
    ];
    for (const [bytes, name, type] of lies) {
      const answer = await uploadOverHttp(server.url, alice.token, bytes, name, type);
      expect(answer.status, name).toBe(415);
      expect(answer.body.error?.message).toMatch(/JPEG, PNG, WebP or GIF/);
    }
    expect(await storedUploads()).toBe(before);
  });

  it('re-encodes a polyglot (a PNG with a page appended), so what is served is only the picture', async () => {
    const polyglot = Buffer.concat([await png(), Buffer.from('<html><script>alert("polyglot")</script></html>')]);
    const id = await sendFile(polyglot, 'innocent.png', 'image/png');
    const served = await fetchFile(server.url, bob.token, `/files/${id}`);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.bytes.includes(Buffer.from('<script'))).toBe(false);
  });

  it('refuses an image whose dimensions would take gigabytes to decode, quickly', async () => {
    const startedAt = Date.now();
    const answer = await uploadOverHttp(server.url, alice.token, pngClaiming(100_000, 100_000), 'bomb.png', 'image/png');
    expect(answer.status).toBe(413);
    expect(answer.body.error?.message).toMatch(/pixels/i);
    expect(Date.now() - startedAt).toBeLessThan(5000);
  });

  it('refuses a damaged image with 422', async () => {
    const photo = await jpegWithGps();
    const answer = await uploadOverHttp(server.url, alice.token, photo.subarray(0, photo.length / 2), 'half.jpg', 'image/jpeg');
    expect(answer.status).toBe(422);
  });

  it('refuses an oversize upload from its Content-Length, answering and closing before the body is sent', async () => {
    const before = await storedUploads();
    const answer = await partialUpload(server.url, alice.token, 50 * 1024 * 1024, 1024);
    expect(answer.statusLine).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.closed, 'the server must close the connection, not read the rest').toBe(true);
    expect(await storedUploads()).toBe(before);
  });

  it('stops reading a body without a Content-Length at the limit', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const boundary = 'b0undary';
        controller.enqueue(new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\n`));
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(64 * 1024));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/uploads`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data; boundary=b0undary' },
    } as RequestInit).catch((error: unknown) => error);
    // Either the 413 arrives or the connection is cut while the rest is still being sent; never a 201.
    if (response instanceof Response) expect(response.status).toBe(413);
    else expect(response).toBeInstanceOf(Error);
  });

  it('stores nothing for an upload cut off halfway, and stays up', async () => {
    const before = await storedUploads();
    await partialUpload(server.url, alice.token, 200 * 1024, 50 * 1024, { abortAfterSend: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await storedUploads()).toBe(before);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('refuses uploads from strangers and requests that are not a file', async () => {
    expect((await uploadOverHttp(server.url, null, await png(), 'a.png', 'image/png')).status).toBe(401);
    expect((await uploadOverHttp(server.url, 'x.y', await png(), 'a.png', 'image/png')).status).toBe(401);
    const notMultipart = await fetch(`${server.url}/uploads`, { method: 'POST', body: 'hello', headers: { authorization: `Bearer ${alice.token}` } });
    expect(notMultipart.status).toBe(415);
    const empty = await uploadOverHttp(server.url, alice.token, new Uint8Array(0), 'empty.txt');
    expect(empty.status).toBe(400);
  });

  it('attaches only my own unsent uploads, each once, at most ten, and stores no message otherwise', async () => {
    const mine = (await uploadOverHttp(server.url, alice.token, await png(), 'a.png', 'image/png')).body.id!;
    const bobs = (await uploadOverHttp(server.url, bob.token, await png(), 'b.png', 'image/png')).body.id!;
    const { lastSeq } = (await as(alice).thread.list.query()).find((t) => t.id === threadId)!;

    expect(await codeOf(as(alice).message.send.mutate({ threadId, body: 'x', attachmentIds: [bobs] }))).toBe('NOT_FOUND');
    expect(await codeOf(as(alice).message.send.mutate({ threadId, body: 'x', attachmentIds: ['no-such-upload'] }))).toBe('NOT_FOUND');
    expect(await codeOf(as(alice).message.send.mutate({ threadId, body: 'x', attachmentIds: Array.from({ length: 11 }, (_, i) => `id${i}`) }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(as(alice).message.send.mutate({ threadId, body: 'x', attachmentIds: [mine, mine] }))).toBe('BAD_REQUEST');
    expect((await as(alice).thread.list.query()).find((t) => t.id === threadId)!.lastSeq).toBe(lastSeq);

    await as(alice).message.send.mutate({ threadId, body: 'first', attachmentIds: [mine] });
    expect(await codeOf(as(alice).message.send.mutate({ threadId, body: 'again', attachmentIds: [mine] }))).toBe('NOT_FOUND');
  });

  it('stops serving a deleted message’s files at once and removes their bytes', async () => {
    const id = await sendFile(await png(), 'gone.png', 'image/png');
    const [message] = (await as(bob).message.list.query({ threadId })).messages.filter((m) => m.attachments.some((a) => a.id === id));
    await as(alice).message.delete.mutate({ messageId: message!.id });
    expect((await fetchFile(server.url, bob.token, `/files/${id}`)).status).toBe(404);
    expect((await fetchFile(server.url, alice.token, `/files/${id}/thumbnail`)).status).toBe(404);
    await vi.waitFor(async () => expect(await server.parley.deps.files.store.get(`files/${id}`)).toBeNull());
    expect(await server.parley.deps.files.store.get(`thumbnails/${id}`)).toBeNull();
    expect((await as(bob).message.list.query({ threadId })).messages.find((m) => m.id === message!.id)?.attachments).toEqual([]);
  });

  it('ends access with the session: a logged-out token fetches nothing', async () => {
    const dana = await signUpOverHttp(server.url, 'dana');
    const danaThread = await as(dana).thread.getOrCreate.mutate({ username: 'alice' });
    const upload = await uploadOverHttp(server.url, alice.token, await png(), 'for-dana.png', 'image/png');
    await as(alice).message.send.mutate({ threadId: danaThread.id, body: '', attachmentIds: [upload.body.id!] });
    expect((await fetchFile(server.url, dana.token, `/files/${upload.body.id}`)).status).toBe(200);
    await as(dana).auth.logOut.mutate();
    expect((await fetchFile(server.url, dana.token, `/files/${upload.body.id}`)).status).toBe(404);
  });
});

describe('upload limits', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ env: { UPLOAD_BYTES_PER_DAY: String(300 * 1024), UPLOADS_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('refuses what would pass my daily allowance or my uploads per minute, with a retry hint', async () => {
    const erin = await signUpOverHttp(limited.url, 'erin');
    const chunk = Buffer.alloc(200 * 1024, 1);
    expect((await uploadOverHttp(limited.url, erin.token, chunk, 'one.bin')).status).toBe(201);
    const overQuota = await uploadOverHttp(limited.url, erin.token, chunk, 'two.bin');
    expect(overQuota.status).toBe(429);
    expect(overQuota.body.error?.message).toMatch(/allowance/);
    expect((await uploadOverHttp(limited.url, erin.token, Buffer.alloc(10, 1), 'three.bin')).status).toBe(201);
    const tooFast = await uploadOverHttp(limited.url, erin.token, Buffer.alloc(10, 1), 'four.bin');
    expect(tooFast.status).toBe(429);
    expect(tooFast.body.error?.message).toMatch(/too fast/);
  });
});
