import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParleyHttpClient, signUp, uploadFile, UploadError } from '@parley/client';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { png } from '../helpers/uploads.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('@parley/client uploadFile', () => {
  it('uploads a file that message.send then attaches', async () => {
    const ada = await signUp(server.url, 'ada', 'correct horse battery');
    await signUp(server.url, 'bob', 'correct horse battery');
    const api = createParleyHttpClient({ url: server.url, token: ada.token });
    const thread = await api.thread.getOrCreate.mutate({ username: 'bob' });
    const attachment = await uploadFile(new Blob([new Uint8Array(await png())]), 'chart.png', { url: server.url, token: ada.token });
    expect(attachment).toMatchObject({ name: 'chart.png', kind: 'image', type: 'image/png' });
    const sent = await api.message.send.mutate({ threadId: thread.id, body: 'the chart', attachmentIds: [attachment.id] });
    expect(sent.attachments).toEqual([attachment]);
  });

  it('rejects with an UploadError carrying the server’s code and words', async () => {
    const eve = await signUp(server.url, 'eve', 'correct horse battery');
    const refusal = await uploadFile(new Blob(['<html>not a picture</html>']), 'fake.png', { url: server.url, token: eve.token }).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(UploadError);
    expect(refusal).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, message: expect.stringMatching(/JPEG, PNG, WebP or GIF/) });
  });
});
