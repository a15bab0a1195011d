import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { assertBlobKey, type BlobStore } from './blobStore.ts';

/** A BlobStore in a folder: key `ab/cd` is the file `<dir>/ab/cd`. */
export function createDiskBlobStore(dir: string): BlobStore {
  const root = resolve(dir);
  const pathOf = (key: string) => {
    assertBlobKey(key);
    return join(root, ...key.split('/'));
  };

  return {
    async put(key, body, _contentType) {
      const target = pathOf(key);
      await mkdir(dirname(target), { recursive: true });
      // Same folder, so the rename is atomic: a reader sees the old blob or the whole new one, never a part.
      // The leading dot cannot collide with a key (keys have no dots). flush: true fsyncs before the rename,
      // or a crash could leave the new name pointing at an empty file.
      const temp = join(dirname(target), `.${randomUUID()}.tmp`);
      try {
        if (Buffer.isBuffer(body)) {
          await writeFile(temp, body, { flag: 'wx', flush: true });
        } else {
          await pipeline(createReadStream(body.path), createWriteStream(temp, { flags: 'wx', flush: true }));
          const { size } = await stat(temp);
          if (size !== body.size) throw new Error(`blob ${key}: source had ${size} bytes, expected ${body.size}`);
        }
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },

    async get(key) {
      const path = pathOf(key);
      try {
        // Size from the open handle, not a separate stat, so a concurrent replace cannot mismatch the two.
        const handle = await open(path, 'r');
        try {
          const { size } = await handle.stat();
          return { stream: handle.createReadStream(), size };
        } catch (error) {
          await handle.close();
          throw error;
        }
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },

    async delete(keys) {
      const paths = keys.map(pathOf);
      await Promise.all(
        paths.map(async (path) => {
          try {
            await unlink(path);
          } catch (error) {
            if (!isMissing(error)) throw error;
          }
        }),
      );
    },

    close() {},
  };
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
