import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3BlobStore } from '@parley/api/files/s3BlobStore';
import { startLocalS3 } from '../helpers/localS3.ts';
import { createTestPostgresDatabase } from '../helpers/postgresDatabase.ts';
import { REDIS_URL, uniqueRedisPrefix } from '../helpers/redisPrefix.ts';
import { spawnServer, stopServers, type ServerProcess } from '../helpers/serverProcess.ts';
import { httpClient, signUpOverHttp } from '../helpers/trpcClients.ts';
import { fetchFile, jpegWithGps, uploadOverHttp } from '../helpers/uploads.ts';

let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
let s3: Awaited<ReturnType<typeof startLocalS3>>;
let servers: ServerProcess[] = [];

beforeAll(async () => {
  [database, s3] = await Promise.all([createTestPostgresDatabase(), startLocalS3()]);
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_PREFIX: uniqueRedisPrefix(),
    S3_URL: s3.url,
    S3_BUCKET: s3.bucket,
    S3_REGION: s3.region,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
  servers = await Promise.all([spawnServer(env), spawnServer(env)]);
}, 60_000);

afterAll(async () => {
  await stopServers(servers);
  await Promise.all([database?.drop(), s3?.close()]);
});

describe('two server processes sharing one S3-compatible store', () => {
  it('shows an image uploaded through process 1 to a member on process 2, and no one else', async () => {
    const [one, two] = servers as [ServerProcess, ServerProcess];
    const alice = await signUpOverHttp(one.url, 'alice');
    const bob = await signUpOverHttp(two.url, 'bob');
    const carol = await signUpOverHttp(two.url, 'carol');
    const thread = await httpClient(one.url, { authorization: `Bearer ${alice.token}` }).thread.getOrCreate.mutate({ username: 'bob' });

    const upload = await uploadOverHttp(one.url, alice.token, await jpegWithGps(800, 600), 'harbour.jpg', 'image/jpeg');
    expect(upload.status).toBe(201);
    await httpClient(one.url, { authorization: `Bearer ${alice.token}` }).message.send.mutate({
      threadId: thread.id,
      body: 'the view',
      attachmentIds: [upload.body.id!],
    });

    const page = await httpClient(two.url, { authorization: `Bearer ${bob.token}` }).message.list.query({ threadId: thread.id });
    const [attachment] = page.messages[0]!.attachments;
    expect(attachment).toMatchObject({ id: upload.body.id, kind: 'image', image: { width: 800, height: 600 } });

    const thumbnail = await fetchFile(two.url, bob.token, `/files/${attachment!.id}/thumbnail`);
    expect(thumbnail.status).toBe(200);
    expect((await sharp(thumbnail.bytes).metadata()).format).toBe('webp');
    const full = await fetchFile(two.url, bob.token, `/files/${attachment!.id}`);
    expect(full.status).toBe(200);
    expect((await sharp(full.bytes).metadata()).exif).toBeUndefined();
    expect((await fetchFile(two.url, carol.token, `/files/${attachment!.id}`)).status).toBe(404);

    // The bytes are in the bucket (not on either process's disk), as served.
    const bucket = createS3BlobStore(s3);
    const stored = await bucket.get(`files/${attachment!.id}`);
    expect(stored?.size).toBe(full.bytes.length);
    stored?.stream.destroy();
    bucket.close();
  });
});
