import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiskBlobStore } from './diskBlobStore.ts';
import type { FileServices } from './fileServices.ts';
import { createUploadInspector } from './inspectUpload.ts';
import { createS3BlobStore } from './s3BlobStore.ts';

type FileStorageConfig =
  { kind: 'disk'; dir: string } | { kind: 's3'; url: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string };

export interface FileServicesConfig {
  storage: FileStorageConfig;
  maxBytes: number;
  maxPixels: number;
  imageWorkers: number;
  imageQueueLength: number;
  /** Where uploads are spooled while they arrive; a fresh folder under the system's temp folder by default. */
  spoolDir?: string;
}

/** The one place file services are built, for apps/server and tests alike. */
export function createFileServices(config: FileServicesConfig): FileServices {
  const spoolDir = config.spoolDir ?? join(tmpdir(), 'parley-spool');
  mkdirSync(spoolDir, { recursive: true });
  const store = config.storage.kind === 's3' ? createS3BlobStore(config.storage) : createDiskBlobStore(config.storage.dir);
  return {
    store,
    inspector: createUploadInspector({ maxPixels: config.maxPixels, concurrency: config.imageWorkers, maxQueued: config.imageQueueLength }),
    spoolDir,
    maxBytes: config.maxBytes,
  };
}
