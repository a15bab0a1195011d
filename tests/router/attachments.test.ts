import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadEvent } from '@parley/api';
import { storeUpload } from '@parley/api/domain/storeUpload';
import { sweepUploads } from '@parley/api/domain/removeUploads';
import { createProviderDeps, type Provider } from '../helpers/providerDeps.ts';
import { codeOf } from '../helpers/trpcErrors.ts';
import { signedInCaller, type TestDeps } from '../helpers/testDeps.ts';
import { PDF_BYTES, png } from '../helpers/uploads.ts';

type Caller = Awaited<ReturnType<typeof signedInCaller>>;
const HOUR_MS = 60 * 60 * 1000;

async function takeEvents(stream: AsyncIterable<unknown>, count: number): Promise<ThreadEvent[]> {
  const out: ThreadEvent[] = [];
  for await (const envelope of stream) {
    out.push((envelope as [string, ThreadEvent])[1]);
    if (out.length === count) break;
  }
  return out;
}

describe.each<[Provider]>([['SQLite'], ['PostgreSQL']])('attachments on %s', (provider) => {
  let deps: TestDeps;
  let n = 0;
  beforeAll(async () => {
    deps = await createProviderDeps(provider);
  }, 60_000);
  afterAll(async () => {
    await deps.close();
  });

  async function people(): Promise<{ ada: Caller; bob: Caller; eve: Caller; threadId: string }> {
    n++;
    const [ada, bob, eve] = await Promise.all(['ada', 'bob', 'eve'].map((name) => signedInCaller(deps, `${name}${n}`)));
    const thread = await ada!.thread.getOrCreate({ username: bob!.user.username });
    return { ada: ada!, bob: bob!, eve: eve!, threadId: thread.id };
  }

  /** An upload by `who`, through the same domain function POST /uploads uses. */
  async function upload(who: Caller, bytes: Buffer, name: string) {
    const path = join(deps.files.spoolDir, `${name}-${n}-${Math.random()}`);
    writeFileSync(path, bytes);
    return storeUpload(deps, who.user, { path, size: bytes.length, name, declaredType: 'application/octet-stream' });
  }

  it('carries files in the message event, live and on resume, and in history', async () => {
    const { ada, bob, threadId } = await people();
    const image = await upload(ada, await png(), 'pic.png');
    const pdf = await upload(ada, PDF_BYTES, 'doc.pdf');
    const live = await bob.thread.onMessage({ threadId });
    const sent = await ada.message.send({ threadId, body: '', attachmentIds: [pdf.id, image.id] });
    expect(sent.attachments.map((a) => a.id)).toEqual([pdf.id, image.id]);
    expect(sent.attachments[1]).toMatchObject({ kind: 'image', type: 'image/png', image: { width: 64, height: 48 } });
    expect(sent.attachments[0]).toMatchObject({ kind: 'file', type: 'application/pdf', name: 'doc.pdf', image: null });

    const [seen] = await takeEvents(live, 1);
    expect(seen).toMatchObject({ kind: 'message', message: { id: sent.id, attachments: sent.attachments } });
    const [resumed] = await takeEvents(await bob.thread.onMessage({ threadId, lastEventId: '0' }), 1);
    expect(resumed).toMatchObject({ kind: 'message', message: { attachments: sent.attachments } });
    const page = await bob.message.list({ threadId });
    expect(page.messages[0]!.attachments).toEqual(sent.attachments);
    // The thread list shows a message of files alone by its files.
    expect((await bob.thread.list()).find((t) => t.id === threadId)?.lastMessage?.attachments).toEqual(sent.attachments);
  });

  it('answers a retried send with the files it attached the first time', async () => {
    const { ada, threadId } = await people();
    const image = await upload(ada, await png(), 'again.png');
    const first = await ada.message.send({ threadId, body: 'once', clientId: `c-${n}`, attachmentIds: [image.id] });
    const retry = await ada.message.send({ threadId, body: 'once', clientId: `c-${n}`, attachmentIds: [image.id] });
    expect(retry.id).toBe(first.id);
    expect(retry.attachments).toEqual(first.attachments);
  });

  it('lets one of two concurrent sends into different threads claim an upload, never both', async () => {
    const { ada, threadId } = await people();
    const other = await ada.thread.getOrCreate({ username: (await signedInCaller(deps, `zed${n}`)).user.username });
    const image = await upload(ada, await png(), 'contested.png');
    const results = await Promise.allSettled([
      ada.message.send({ threadId, body: 'a', attachmentIds: [image.id] }),
      ada.message.send({ threadId: other.id, body: 'b', attachmentIds: [image.id] }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(await codeOf(Promise.reject(rejected?.reason))).toBe('NOT_FOUND');
  });

  it('drops a deleted message’s files from history and its bytes from the store', async () => {
    const { ada, bob, threadId } = await people();
    const image = await upload(ada, await png(), 'bye.png');
    const sent = await ada.message.send({ threadId, body: 'soon gone', attachmentIds: [image.id] });
    await ada.message.delete({ messageId: sent.id });
    expect((await bob.message.list({ threadId })).messages[0]).toMatchObject({ deletedAt: expect.any(String), attachments: [] });
    const [message] = await takeEvents(await bob.thread.onMessage({ threadId, lastEventId: '0' }), 1);
    expect(message).toMatchObject({ kind: 'message', message: { attachments: [] } });
    // The sweep finishes whatever the delete's own clean-up has not.
    await sweepUploads(deps);
    expect(await deps.files.store.get(`files/${image.id}`)).toBeNull();
    expect(await deps.db.attachment.findUnique({ where: { id: image.id } })).toBeNull();
  });

  it('removes an upload never sent after a day, and will not attach one about to be removed', async () => {
    const { ada, threadId } = await people();
    const stale = await upload(ada, await png(), 'stale.png');
    deps.clock.advance(23.5 * HOUR_MS);
    expect(await codeOf(ada.message.send({ threadId, body: 'late', attachmentIds: [stale.id] }))).toBe('NOT_FOUND');
    const fresh = await upload(ada, await png(), 'fresh.png');
    deps.clock.advance(HOUR_MS);
    expect(await sweepUploads(deps)).toBeGreaterThanOrEqual(1);
    expect(await deps.db.attachment.findUnique({ where: { id: stale.id } })).toBeNull();
    expect(await deps.files.store.get(`files/${stale.id}`)).toBeNull();
    // The younger upload stays and can still be sent.
    const sent = await ada.message.send({ threadId, body: 'in time', attachmentIds: [fresh.id] });
    expect(sent.attachments.map((a) => a.id)).toEqual([fresh.id]);
  });

  it('refuses a stranger’s upload id and stores nothing', async () => {
    const { ada, eve, threadId } = await people();
    const evesFile = await upload(eve, await png(), 'eve.png');
    expect(await codeOf(ada.message.send({ threadId, body: 'x', attachmentIds: [evesFile.id] }))).toBe('NOT_FOUND');
    expect((await ada.message.list({ threadId })).messages).toEqual([]);
  });
});
