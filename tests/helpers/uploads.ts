import { connect } from 'node:net';
import sharp from 'sharp';

export interface UploadAnswer {
  status: number;
  /** The AttachmentView on 201, `{ error: { code, message } }` otherwise. */
  body: { id?: string; kind?: string; type?: string; size?: number; name?: string; error?: { code: string; message: string } } & Record<
    string,
    unknown
  >;
}

/** POST /uploads as a program would: one file in the `file` field, authenticated by token. */
export async function uploadOverHttp(
  url: string,
  token: string | null,
  bytes: Uint8Array,
  name: string,
  type = 'application/octet-stream',
): Promise<UploadAnswer> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const response = await fetch(`${url}/uploads`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as UploadAnswer['body'] };
}

/** GET a file's bytes and headers as a member (or anyone) would. */
export async function fetchFile(url: string, token: string | null, path: string) {
  const response = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** A photo as a phone would send it: a JPEG with EXIF including GPS coordinates. */
export function jpegWithGps(width = 640, height = 480): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'PhoneCo', Model: 'Phone 9' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2964/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4032/100' },
    })
    .toBuffer();
}

export function png(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 10, g: 120, b: 200, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** A minimal PDF: enough for type detection and for a download to compare bytes. */
export const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * Sends request headers (claiming `declaredLength` bytes) and only `sendBytes` of body over a raw socket,
 * then waits: resolves with the status line the server answered and whether it closed the connection.
 */
export function partialUpload(url: string, token: string, declaredLength: number, sendBytes: number, options: { abortAfterSend?: boolean } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise<{ statusLine: string | null; closed: boolean; elapsedMs: number }>((resolve) => {
    const startedAt = Date.now();
    const socket = connect(Number(port), hostname);
    let answer = '';
    const boundary = 'parleyboundary';
    socket.on('connect', () => {
      socket.write(
        `POST /uploads HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${declaredLength}\r\n\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      socket.write(Buffer.alloc(sendBytes, 7));
      if (options.abortAfterSend) {
        socket.destroy();
        resolve({ statusLine: null, closed: true, elapsedMs: Date.now() - startedAt });
      }
    });
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ statusLine: answer.split('\r\n')[0] || null, closed: true, elapsedMs: Date.now() - startedAt }));
    setTimeout(() => {
      socket.destroy();
      resolve({ statusLine: answer.split('\r\n')[0] || null, closed: false, elapsedMs: Date.now() - startedAt });
    }, 5000).unref();
  });
}
