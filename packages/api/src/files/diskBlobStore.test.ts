import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blobStore.ts';
import { createDiskBlobStore } from './diskBlobStore.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('disk blob store', () => {
  let root: string;
  let dir: string;
  let store: BlobStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'parley-blobs-'));
    dir = join(root, 'blobs');
    store = createDiskBlobStore(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('gives back the bytes it was given, and replaces them on a second put', async () => {
    await store.put('ab/abc123', Buffer.from('hello'), 'text/plain');
    const got = await store.get('ab/abc123');
    expect(got?.size).toBe(5);
    expect((await readAll(got!.stream)).toString()).toBe('hello');

    await store.put('ab/abc123', Buffer.from('second version'), 'text/plain');
    const again = await store.get('ab/abc123');
    expect(again?.size).toBe(14);
    expect((await readAll(again!.stream)).toString()).toBe('second version');
  });

  it('copies a file source byte for byte', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    const source = join(root, 'upload.bin');
    writeFileSync(source, bytes);

    await store.put('abc123/original', { path: source, size: bytes.length }, 'application/octet-stream');
    const got = await store.get('abc123/original');
    expect(got?.size).toBe(bytes.length);
    expect((await readAll(got!.stream)).equals(bytes)).toBe(true);
  });

  it('refuses a file source whose length is not the declared size, keeping the old blob', async () => {
    await store.put('ab/x', Buffer.from('old'), 'text/plain');
    const source = join(root, 'short.bin');
    writeFileSync(source, 'abc');

    await expect(store.put('ab/x', { path: source, size: 10 }, 'text/plain')).rejects.toThrow(/expected 10/);
    expect((await readAll((await store.get('ab/x'))!.stream)).toString()).toBe('old');
  });

  it('answers null for a key that was never stored', async () => {
    expect(await store.get('zz/missing')).toBeNull();
  });

  it('deletes the given blobs, ignores missing ones, keeps the rest', async () => {
    await store.put('ab/one', Buffer.from('1'), 'text/plain');
    await store.put('ab/two', Buffer.from('2'), 'text/plain');
    await store.put('ab/three', Buffer.from('3'), 'text/plain');

    await store.delete(['ab/one', 'ab/two', 'ab/never-stored', 'cd/never-stored']);

    expect(await store.get('ab/one')).toBeNull();
    expect(await store.get('ab/two')).toBeNull();
    expect((await readAll((await store.get('ab/three'))!.stream)).toString()).toBe('3');
  });

  it.each(['../escape', 'ab/../../escape', '/etc/passwd', 'ab//cd', 'ab/', '', 'a.b', 'ab\\cd', 'ab/cd\0', 'a b'])(
    'refuses the key %j without touching the disk',
    async (key) => {
      await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(/invalid blob key/);
      await expect(store.get(key)).rejects.toThrow(/invalid blob key/);
      await expect(store.delete([key])).rejects.toThrow(/invalid blob key/);
      expect(listFiles(root)).toEqual([]);
    },
  );

  it('leaves no temp files behind, after success or failure', async () => {
    await store.put('ab/one', Buffer.from('1'), 'text/plain');
    await store.put('ab/one', Buffer.from('11'), 'text/plain');
    writeFileSync(join(root, 'source'), '2');
    await store.put('cd/ef/two', { path: join(root, 'source'), size: 1 }, 'text/plain');
    await expect(store.put('ab/three', { path: join(root, 'does-not-exist'), size: 1 }, 'text/plain')).rejects.toThrow(/ENOENT/);

    expect(listFiles(dir)).toEqual(['ab/one', 'cd/ef/two']);
  });
});
