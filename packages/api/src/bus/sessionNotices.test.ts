import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { encodeSessionIds } from './payloadCodec.ts';
import { SessionNotices } from './sessionNotices.ts';

const logger = pino({ level: 'silent' });

function setUp({ subscribeFails = false } = {}) {
  const subscribe = vi.fn(async (_channel: string) => {
    if (subscribeFails) throw new Error('Reached the max retries per request limit');
    return 1;
  });
  const publish = vi.fn(async (_channel: string, _payload: string) => 1);
  const onMalformed = vi.fn();
  const notices = new SessionNotices({ channel: 'p:sessions-ended', publisher: { publish }, subscriber: { subscribe }, logger, onMalformed });
  return { notices, subscribe, publish, onMalformed };
}

describe('session notices', () => {
  it('subscribes to its channel once created', () => {
    const { subscribe } = setUp();
    expect(subscribe.mock.calls).toEqual([['p:sessions-ended']]);
  });

  it('publishes the ids on its channel', async () => {
    const { notices, publish } = setUp();
    await notices.publish(['s1', 's2']);
    expect(publish.mock.calls).toEqual([['p:sessions-ended', encodeSessionIds(['s1', 's2'])]]);
  });

  it('hands received ids to every listener, past one that throws, until it is removed', () => {
    const { notices } = setUp();
    const thrower = vi.fn(() => {
      throw new Error('socket registry broke');
    });
    const listener = vi.fn();
    notices.add(thrower);
    const stop = notices.add(listener);

    notices.receive(encodeSessionIds(['s1']));
    stop();
    notices.receive(encodeSessionIds(['s2']));

    expect(thrower).toHaveBeenCalledTimes(2);
    expect(listener.mock.calls).toEqual([[['s1']]]);
  });

  it('drops and counts a malformed notice without calling listeners', () => {
    const { notices, onMalformed } = setUp();
    const listener = vi.fn();
    notices.add(listener);
    notices.receive('{"not":"ids"}');
    expect(listener).not.toHaveBeenCalled();
    expect(onMalformed).toHaveBeenCalledTimes(1);
  });

  it('subscribes again when the connection is ready after a loss, and only then', () => {
    const { notices, subscribe } = setUp();
    notices.onConnectionReady();
    expect(subscribe).toHaveBeenCalledTimes(1);
    notices.onConnectionLost();
    notices.onConnectionReady();
    notices.onConnectionReady();
    expect(subscribe).toHaveBeenCalledTimes(2);
  });

  it('retries a failed SUBSCRIBE when the connection is ready again', async () => {
    const { notices, subscribe } = setUp({ subscribeFails: true });
    await vi.waitFor(() => expect(subscribe).toHaveBeenCalledTimes(1));
    await new Promise((resolve) => setImmediate(resolve));
    notices.onConnectionReady();
    expect(subscribe).toHaveBeenCalledTimes(2);
  });
});
