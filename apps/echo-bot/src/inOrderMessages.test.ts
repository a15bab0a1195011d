import { describe, expect, it } from 'vitest';
import { testMessage } from '@parley/api/testing/testMessage';
import { InOrderMessages } from './inOrderMessages.ts';

const message = (seq: number, threadId = 't1') => testMessage({ seq, threadId, author: { id: 'u-carol', username: 'carol' } });

/** A thread store with `count` messages per thread, and what was handled, as "thread:seq". */
function setUp(count: number, options: { failOnce?: number } = {}) {
  const handled: string[] = [];
  const reads: string[] = [];
  let failOnce = options.failOnce;
  const messages = new InOrderMessages({
    async readAfter(threadId, afterSeq) {
      reads.push(`${threadId}>${afterSeq}`);
      return { messages: Array.from({ length: count }, (_, i) => message(i + 1, threadId)).filter((m) => m.seq > afterSeq), asOfSeq: count };
    },
    async handle(m) {
      if (m.seq === failOnce) {
        failOnce = undefined;
        throw new Error('socket closed');
      }
      handled.push(`${m.threadId}:${m.seq}`);
    },
    log: () => {},
  });
  return { messages, handled, reads };
}

describe('InOrderMessages', () => {
  it('hands on live messages once each, in order, dropping repeats without reading', async () => {
    const { messages, handled, reads } = setUp(3);
    messages.follow('t1', 0);
    for (const seq of [1, 2, 2, 1, 3]) messages.receive(message(seq));
    await messages.idle();
    expect(handled).toEqual(['t1:1', 't1:2', 't1:3']);
    expect(reads).toEqual([]);
  });

  it('reads what is missing when a message comes after a gap, then goes on live', async () => {
    const { messages, handled, reads } = setUp(4);
    messages.follow('t1', 1);
    messages.receive(message(4));
    messages.receive(message(3));
    await messages.idle();
    expect(handled).toEqual(['t1:2', 't1:3', 't1:4']);
    expect(reads).toEqual(['t1>1']);
  });

  it('catches a thread up to what thread.list says, and reads nothing when it is up to date', async () => {
    const { messages, handled, reads } = setUp(2);
    messages.follow('t1', 0);
    messages.follow('t2', 2);
    messages.catchUp('t1', 2);
    messages.catchUp('t2', 2);
    messages.follow('t1', 0); // following again does not move it back
    messages.catchUp('t1', 2);
    await messages.idle();
    expect(handled).toEqual(['t1:1', 't1:2']);
    expect(reads).toEqual(['t1>0']);
  });

  it('says when a message belongs to a thread it does not follow', () => {
    const { messages } = setUp(1);
    expect(messages.receive(message(1, 'elsewhere'))).toBe(false);
  });

  it('tries a message again at the next catch-up when handling it failed', async () => {
    const { messages, handled } = setUp(3, { failOnce: 2 });
    messages.follow('t1', 0);
    for (const seq of [1, 2]) messages.receive(message(seq));
    await messages.idle();
    expect(handled).toEqual(['t1:1']);
    messages.catchUp('t1', 3);
    await messages.idle();
    expect(handled).toEqual(['t1:1', 't1:2', 't1:3']);
  });

  it('moves past edits and reactions without reading, so the message after them is not taken for a gap', async () => {
    const { messages, handled, reads } = setUp(0);
    messages.follow('t1', 0);
    messages.receive(message(1));
    messages.skip('t1', 2);
    messages.skip('t1', 2); // a repeat
    messages.receive(message(3));
    await messages.idle();
    expect(handled).toEqual(['t1:1', 't1:3']);
    expect(reads).toEqual([]);
  });
});
