import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import contentDisposition from 'content-disposition';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { Deps } from '@parley/api';
import { findReadableAttachment } from '@parley/api/domain/readableAttachment';
import { idSchema } from '@parley/api/domain/schemas';
import { storeUpload, type SpooledUpload } from '@parley/api/domain/storeUpload';
import { blobKeys } from '@parley/api/files/fileServices';
import { downloadContentType } from '@parley/api/files/inspectUpload';
import { httpCaller } from './httpCaller.ts';
import { sendJson } from './httpRoutes.ts';

/** Room for the multipart framing around the one file (boundary lines and part headers). */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

type FileDeps = Pick<Deps, 'db' | 'clock' | 'hotPath' | 'config' | 'files' | 'rateLimits' | 'newId' | 'logger' | 'inFlight'>;

/**
 * POST /uploads and GET /files/<id>[/thumbnail]: the two HTTP routes of attachments, authenticated like
 * the API (bearer token, or the session cookie when the Origin is allowed).
 */
export function createFileRoutes(deps: FileDeps, isAllowedOrigin: (origin: string) => boolean) {
  const logger = deps.logger.child({ component: 'files' });

  /** A refusal as JSON shaped like tRPC's, logged once. `close`: the client may still be sending; stop reading it. */
  function refuse(req: IncomingMessage, res: ServerResponse, error: TRPCError, close = false): void {
    logger.info({ code: error.code, reason: error.message.slice(0, 200), path: req.url?.slice(0, 100) }, 'file request refused');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (close) {
      res.setHeader('connection', 'close');
      // Node would otherwise read (and discard) the rest of the body before closing; a stranger's 1 GB must cost nothing.
      res.once('finish', () => req.destroy());
    }
    const retryAfterMs = (error.cause as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    if (typeof retryAfterMs === 'number') res.setHeader('retry-after', String(Math.ceil(retryAfterMs / 1000)));
    sendJson(res, getHTTPStatusCodeFromError(error), { error: { code: error.code, message: error.message } });
  }

  async function upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return refuse(req, res, new TRPCError({ code: 'METHOD_NOT_SUPPORTED', message: 'Upload with POST' }), true);
    const { user } = await httpCaller(deps, req, isAllowedOrigin);
    if (!user) return refuse(req, res, new TRPCError({ code: 'UNAUTHORIZED', message: 'Log in to upload files' }), true);
    const declaredLength = Number(req.headers['content-length']);
    const maxBytes = deps.files.maxBytes;
    if (declaredLength > maxBytes + MULTIPART_OVERHEAD_BYTES) return refuse(req, res, tooLarge(maxBytes), true);
    if (!/^multipart\/form-data;/i.test(req.headers['content-type'] ?? '')) {
      const error = new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the file as multipart/form-data, in a field named "file"' });
      return refuse(req, res, error, true);
    }
    try {
      await deps.rateLimits.consumeUpload(user.id);
      await deps.rateLimits.assertUploadBytesLeft(
        user.id,
        Number.isFinite(declaredLength) ? Math.max(0, declaredLength - MULTIPART_OVERHEAD_BYTES) : 0,
      );
    } catch (error) {
      if (error instanceof TRPCError) return refuse(req, res, error, true);
      throw error;
    }
    const spoolPath = join(deps.files.spoolDir, randomUUID());
    // In flight like a mutation: a draining process finishes storing what it accepted.
    await deps.inFlight.run(async () => {
      try {
        const spooled = await spool(req, spoolPath, maxBytes);
        const attachment = await storeUpload(deps, user, spooled);
        logger.info({ userId: user.id, attachmentId: attachment.id, size: attachment.size, type: attachment.type }, 'file uploaded');
        sendJson(res, 201, attachment);
      } catch (error) {
        if (error instanceof TRPCError) return refuse(req, res, error, error.code === 'PAYLOAD_TOO_LARGE' || error.code === 'BAD_REQUEST');
        logger.error({ err: error, userId: user.id }, 'upload failed');
        refuse(req, res, new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'The upload could not be stored; try again' }), true);
      } finally {
        await unlink(spoolPath).catch(() => {});
      }
    });
  }

  async function fetchFile(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const notFound = () => refuse(req, res, new TRPCError({ code: 'NOT_FOUND', message: 'No such file' }));
    if (req.method !== 'GET' && req.method !== 'HEAD') return notFound();
    const [, , rawId, variant, ...rest] = pathname.split('/');
    const id = idSchema.safeParse(rawId);
    if (!id.success || rest.length > 0 || (variant !== undefined && variant !== 'thumbnail')) return notFound();
    const { user } = await httpCaller(deps, req, isAllowedOrigin);
    if (!user) return notFound();
    let attachment;
    try {
      attachment = await findReadableAttachment(deps, user.id, id.data);
    } catch (error) {
      if (error instanceof TRPCError) return refuse(req, res, error);
      throw error;
    }
    const thumbnail = variant === 'thumbnail';
    if (thumbnail && attachment.kind !== 'image') return notFound();
    // Bytes never change under an id, so the id is the ETag: a revalidation (checked like any fetch) costs no bytes.
    const etag = `"${attachment.id}${thumbnail ? '-t' : ''}"`;
    const asDownload = attachment.kind !== 'image' || new URL(req.url ?? '/', 'http://x').searchParams.has('download');
    res.setHeader('cache-control', 'private, no-cache');
    res.setHeader('etag', etag);
    // A file is data, never a page of ours: no script, no plugins, no frames, a unique origin if opened.
    res.setHeader('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304);
      res.end();
      return;
    }
    const keys = blobKeys(attachment.id);
    const blob = await deps.files.store.get(thumbnail ? keys.thumbnail : keys.file);
    if (!blob) {
      logger.warn({ attachmentId: attachment.id, thumbnail }, 'an attachment’s bytes are missing from the store');
      return notFound();
    }
    res.writeHead(200, {
      'content-type': thumbnail ? 'image/webp' : attachment.kind === 'image' ? attachment.mime : downloadContentType(attachment.mime),
      'content-length': String(blob.size),
      'content-disposition': contentDisposition(thumbnail ? `thumbnail-${attachment.name}.webp` : attachment.name, {
        type: asDownload && !thumbnail ? 'attachment' : 'inline',
      }),
    });
    if (req.method === 'HEAD') {
      blob.stream.destroy();
      res.end();
      return;
    }
    // A reader that goes away mid-file ends the stream; nothing to report.
    await pipeline(blob.stream, res).catch(() => {});
  }

  return { upload, fetchFile };
}

function tooLarge(maxBytes: number): TRPCError {
  return new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: `Files are at most ${Math.floor(maxBytes / (1024 * 1024))} MB` });
}

/**
 * Streams the request's one file part to `path`, stopping at `maxBytes` (busboy's limit, so a body without
 * a Content-Length is bounded too). Resolves with what arrived; rejects with a TRPCError for a body that is
 * too large, has no file, or ends early.
 */
function spool(req: IncomingMessage, path: string, maxBytes: number): Promise<SpooledUpload> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 10, fieldSize: 1024, parts: 12 } });
    } catch {
      reject(new TRPCError({ code: 'BAD_REQUEST', message: 'The multipart body is malformed' }));
      return;
    }
    let file: Promise<SpooledUpload> | null = null;
    let tooBig = false;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || file) {
        stream.resume();
        return;
      }
      let size = 0;
      stream.on('data', (chunk: Buffer) => (size += chunk.length));
      stream.on('limit', () => {
        tooBig = true;
        req.unpipe(parser);
        reject(tooLarge(maxBytes));
      });
      file = pipeline(stream, createWriteStream(path)).then(() => ({
        path,
        size,
        name: info.filename ?? 'file',
        declaredType: info.mimeType ?? 'application/octet-stream',
      }));
      file.catch(() => {});
    });
    parser.on('error', () => reject(new TRPCError({ code: 'BAD_REQUEST', message: 'The multipart body is malformed or ended early' })));
    parser.on('close', () => {
      if (tooBig) return;
      if (!file) reject(new TRPCError({ code: 'BAD_REQUEST', message: 'No file: send it in a field named "file"' }));
      else file.then(resolve, () => reject(new TRPCError({ code: 'BAD_REQUEST', message: 'The upload ended early' })));
    });
    req.on('aborted', () => reject(new TRPCError({ code: 'BAD_REQUEST', message: 'The upload ended early' })));
    req.on('error', () => reject(new TRPCError({ code: 'BAD_REQUEST', message: 'The upload ended early' })));
    req.pipe(parser);
  });
}
