import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore } from '@parley/api/files/s3BlobStore';
import type { BlobStore } from '@parley/api/files/blobStore';
import { startLocalS3 } from '../helpers/localS3.ts';
import { makeTempDir } from '../helpers/tempDir.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('S3 blob store (against s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startLocalS3>>;
  let store: BlobStore;
  const temp = makeTempDir();

  beforeAll(async () => {
    s3 = await startLocalS3();
    store = createS3BlobStore(s3);
  });
  afterAll(async () => {
    store?.close();
    await s3?.close();
    temp.remove();
  });

  it('gives back the bytes it was given, and replaces them on a second put', async () => {
    await store.put('ab/first', Buffer.from('hello'), 'text/plain');
    const got = await store.get('ab/first');
    expect(got?.size).toBe(5);
    expect((await readAll(got!.stream)).toString()).toBe('hello');

    await store.put('ab/first', Buffer.from('replaced'), 'text/plain');
    expect((await readAll((await store.get('ab/first'))!.stream)).toString()).toBe('replaced');
  });

  it('streams a file source of a few MB intact', async () => {
    const bytes = randomBytes(5 * 1024 * 1024 + 123);
    const path = join(temp.path, 'upload.bin');
    writeFileSync(path, bytes);

    await store.put('cd/big', { path, size: bytes.length }, 'application/octet-stream');
    const got = await store.get('cd/big');
    expect(got?.size).toBe(bytes.length);
    expect((await readAll(got!.stream)).equals(bytes)).toBe(true);
  });

  it('answers null for a key that was never stored', async () => {
    expect(await store.get('no/such-blob')).toBeNull();
  });

  it('deletes several keys at once, missing ones included', async () => {
    const keys = ['del/a', 'del/b', 'del/c', 'del/thumb'];
    for (const key of keys) await store.put(key, Buffer.from(key), 'text/plain');
    await store.put('del/kept', Buffer.from('kept'), 'text/plain');

    await store.delete([...keys, 'del/never-stored']);

    for (const key of keys) expect(await store.get(key)).toBeNull();
    expect((await readAll((await store.get('del/kept'))!.stream)).toString()).toBe('kept');
    await store.delete([]);
  });

  it('refuses keys that could escape the bucket layout before sending anything', async () => {
    await expect(store.put('../x', Buffer.from('x'), 'text/plain')).rejects.toThrow(/invalid blob key/);
    await expect(store.get('/etc/passwd')).rejects.toThrow(/invalid blob key/);
    await expect(store.delete(['ok/key', 'a/../b'])).rejects.toThrow(/invalid blob key/);
  });
});
