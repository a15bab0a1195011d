import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { assertBlobKey, type BlobStore } from './blobStore.ts';

// S3's limit for one DeleteObjects request.
const DELETE_BATCH = 1000;

/** A BlobStore in an S3-compatible bucket (AWS, MinIO, R2, Garage, …), one object per key. */
export function createS3BlobStore(o: { url: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string }): BlobStore {
  const client = new S3Client({
    endpoint: o.url,
    region: o.region,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    // Self-hosted stores answer on one host name; bucket-as-subdomain would need wildcard DNS.
    forcePathStyle: true,
    // Since 3.729 the SDK sends a CRC32 with every upload, which for a stream body means aws-chunked encoding
    // with a trailer. Stores that do not speak it reject it, or worse store the framing as the object: s3rver
    // answered 200 and gave a 5 MB file back ~760 bytes longer (s3BlobStore.test.ts catches that). WHEN_REQUIRED
    // keeps checksums to the operations S3 demands them for (DeleteObjects) and accepts downloads without one.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

  return {
    async put(key, body, contentType) {
      assertBlobKey(key);
      const source = Buffer.isBuffer(body)
        ? { Body: body, ContentLength: body.length }
        : // A stream with its length: the SDK sends it as-is instead of buffering it to learn the size.
          { Body: createReadStream(body.path), ContentLength: body.size };
      await client.send(new PutObjectCommand({ Bucket: o.bucket, Key: key, ContentType: contentType, ...source }));
    },

    async get(key) {
      assertBlobKey(key);
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: o.bucket, Key: key }));
        // In Node the body is the http.IncomingMessage itself.
        return { stream: object.Body as Readable, size: object.ContentLength ?? 0 };
      } catch (error) {
        if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404)) return null;
        throw error;
      }
    },

    async delete(keys) {
      keys.forEach(assertBlobKey);
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH);
        // Quiet: the answer lists only failures. A missing key is not one: S3 reports it as deleted.
        const result = await client.send(
          new DeleteObjectsCommand({ Bucket: o.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new Error(`could not delete ${failed.length} blob(s), first ${first?.Key}: ${first?.Code} ${first?.Message}`);
        }
      }
    },

    close() {
      client.destroy();
    },
  };
}
