import { createRequire } from 'node:module';
import { makeTempDir } from './tempDir.ts';

// s3rver is CommonJS and ships no types; this is the part of its API used here.
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

/** An in-process fake S3 on 127.0.0.1 with one empty bucket, storing into a temp folder removed by close(). */
export async function startLocalS3(): Promise<{
  url: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}> {
  const dir = makeTempDir('parley-s3-');
  const bucket = 'parley-test';
  // Port 0: the OS picks a free port and run() reports it, so there is no window for another process to take it.
  const server = new S3rver({ address: '127.0.0.1', port: 0, directory: dir.path, silent: true, configureBuckets: [{ name: bucket }] });
  try {
    const { port } = await server.run();
    return {
      url: `http://127.0.0.1:${port}`,
      bucket,
      region: 'us-east-1',
      // The one key pair s3rver accepts; it checks signatures, so a wrong secret fails as it would on S3.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      async close() {
        await server.close();
        dir.remove();
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}
