import { describe, expect, it } from 'vitest';
import type { MessageView } from '@parley/client';
import { createMemoryOutbox, type Outbox, type OutboxEntry } from './outbox.ts';
import { SendQueue, type SendOutcome } from './sendQueue.ts';

type SendInput = { threadId: string; body: string; clientId: string; replyToId?: string; attachmentIds?: string[] };

/** A message.send whose answers the test gives, one call at a time. */
function fakeServer() {
  const calls: { input: SendInput; answer: (error?: Error) => void }[] = [];
  let seq = 0;
  const send = {
    mutate: (input: SendInput) =>
      new Promise<MessageView>((resolve, reject) => {
        calls.push({
          input,
          answer: (error) => (error ? reject(error) : resolve(message(input, ++seq))),
        });
      }),
  };
  return { client: { api: { message: { send } } } as unknown as ConstructorParameters<typeof SendQueue>[0], calls };
}

function message(input: SendInput, seq: number): MessageView {
  return {
    id: `m${seq}`,
    threadId: input.threadId,
    seq,
    author: { id: 'u-ann', username: 'ann' },
    body: input.body,
    clientId: input.clientId,
    createdAt: new Date(0).toISOString(),
    editedAt: null,
    deletedAt: null,
    replyTo: null,
    mentions: [],
    reactions: [],
    attachments: [],
  };
}

const flushed = () => new Promise((resolve) => setTimeout(resolve, 0));

function setUp(outbox: Outbox = createMemoryOutbox()) {
  const server = fakeServer();
  const network = { isOnline: true };
  const queue = new SendQueue(server.client, 'u-ann', outbox, () => network.isOnline);
  const outcomes: SendOutcome[] = [];
  queue.onOutcome((outcome) => outcomes.push(outcome));
  const add = (clientId: string, threadId = 't1') =>
    queue.add({ clientId, threadId, body: `text ${clientId}`, replyToId: null, attachments: [], createdAt: new Date() });
  return { ...server, network, queue, outcomes, outbox, add };
}

describe('SendQueue', () => {
  it("sends a thread's messages one at a time, in the order written", async () => {
    const { calls, add } = setUp();
    add('c1');
    add('c2');
    add('c3');
    await flushed();
    expect(calls.map((call) => call.input.clientId)).toEqual(['c1']);
    calls[0]?.answer();
    await flushed();
    calls[1]?.answer();
    await flushed();
    expect(calls.map((call) => call.input.clientId)).toEqual(['c1', 'c2', 'c3']);
  });

  it('does not hold one thread up behind another', async () => {
    const { calls, add } = setUp();
    add('a1', 'thread-a');
    add('b1', 'thread-b');
    await flushed();
    expect(calls.map((call) => call.input.clientId)).toEqual(['a1', 'b1']);
  });

  it('keeps sends made offline in the outbox and sends them, with their clientIds, on flush', async () => {
    const { calls, add, network, queue, outbox, outcomes } = setUp();
    network.isOnline = false;
    add('c1');
    add('c2');
    await flushed();
    expect(calls).toEqual([]);
    expect((await outbox.list('u-ann')).map((entry) => entry.clientId)).toEqual(['c1', 'c2']);

    network.isOnline = true;
    queue.flush();
    await flushed();
    calls[0]?.answer();
    await flushed();
    calls[1]?.answer();
    await flushed();
    expect(calls.map((call) => call.input.clientId)).toEqual(['c1', 'c2']);
    expect(outcomes.map((outcome) => `${outcome.kind}:${outcome.clientId}`)).toEqual(['sent:c1', 'sent:c2']);
    expect(await outbox.list('u-ann')).toEqual([]);
  });

  it('sends what an earlier page left in the outbox first, then what this page adds', async () => {
    const outbox = createMemoryOutbox();
    const left = (clientId: string, order: number): OutboxEntry => ({
      clientId,
      userId: 'u-ann',
      threadId: 't1',
      body: `text ${clientId}`,
      replyToId: 'm0',
      attachments: [],
      createdAt: new Date(order).toISOString(),
      order,
    });
    await outbox.put(left('old2', 2));
    await outbox.put(left('old1', 1));
    const { calls, add, queue } = setUp(outbox);
    add('new');
    await queue.loaded;
    expect(queue.pendingIn('t1').map((queued) => queued.entry.clientId)).toEqual(['old1', 'old2', 'new']);
    for (let i = 0; i < 3; i++) {
      await flushed();
      calls[i]?.answer();
    }
    await flushed();
    expect(calls.map((call) => call.input.clientId)).toEqual(['old1', 'old2', 'new']);
    expect(calls[0]?.input.replyToId).toBe('m0');
  });

  it('waits for the network, without failing, when a send is lost with it', async () => {
    const { calls, add, network, queue, outcomes } = setUp();
    add('c1');
    await flushed();
    network.isOnline = false;
    calls[0]?.answer(new Error('WebSocket closed'));
    await flushed();
    expect(outcomes).toEqual([]);
    expect(queue.pendingIn('t1').map((queued) => queued.state)).toEqual(['waiting']);

    network.isOnline = true;
    queue.flush();
    await flushed();
    expect(calls.map((call) => call.input.clientId)).toEqual(['c1', 'c1']);
  });

  it('marks a send failed while online, and sends it again only on retry', async () => {
    const { calls, add, queue, outcomes, outbox } = setUp();
    add('c1');
    await flushed();
    calls[0]?.answer(new Error('WebSocket closed'));
    await flushed();
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['failed']);
    queue.flush();
    await flushed();
    expect(calls).toHaveLength(1);
    // Still kept: after a reload it would go again.
    expect((await outbox.list('u-ann')).map((entry) => entry.clientId)).toEqual(['c1']);

    queue.retry('c1');
    await flushed();
    calls[1]?.answer();
    await flushed();
    expect(calls.map((call) => call.input.clientId)).toEqual(['c1', 'c1']);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['failed', 'sent']);
  });

  it('forgets a send the thread stream already brought', async () => {
    const { calls, add, queue, outbox } = setUp();
    add('c1');
    await flushed();
    queue.settle('c1');
    await flushed();
    expect(await outbox.list('u-ann')).toEqual([]);
    calls[0]?.answer(new Error('WebSocket closed'));
    await flushed();
    expect(queue.pendingIn('t1')).toEqual([]);
  });
});
