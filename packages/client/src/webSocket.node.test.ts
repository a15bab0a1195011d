import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { WebSocketImpl } from './webSocket.node.ts';

let server: WebSocketServer | undefined;
const opened: WebSocket[] = [];

afterEach(async () => {
  for (const socket of opened.splice(0)) socket.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A client socket connected to a server socket, both open. */
async function connectedPair(): Promise<{ client: WebSocket; peer: ServerSocket }> {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server!.once('listening', resolve));
  const peer = new Promise<ServerSocket>((resolve) => server!.once('connection', resolve));
  const client = new WebSocketImpl(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  opened.push(client);
  await new Promise((resolve, reject) => {
    client.addEventListener('open', resolve);
    client.addEventListener('error', reject);
  });
  return { client, peer: await peer };
}

function nextFrames(client: WebSocket, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    client.addEventListener('message', function onFrame() {
      if (++seen === count) {
        client.removeEventListener('message', onFrame);
        resolve();
      }
    });
  });
}

describe('the Node WebSocket the client uses', () => {
  it('gives every message listener the same event per frame, with the frame as text, called on the socket', async () => {
    const { client, peer } = await connectedPair();
    const seen: Array<{ listener: string; event: MessageEvent; self: unknown }> = [];
    client.addEventListener('message', function (this: unknown, event) {
      seen.push({ listener: 'first', event, self: this });
    });
    client.addEventListener('message', function (this: unknown, event) {
      seen.push({ listener: 'second', event, self: this });
    });
    const done = nextFrames(client, 2);
    peer.send('{"id":1}');
    peer.send('PING');
    await done;
    expect(seen.map((s) => [s.listener, s.event.data])).toEqual([
      ['first', '{"id":1}'],
      ['second', '{"id":1}'],
      ['first', 'PING'],
      ['second', 'PING'],
    ]);
    expect(seen[0]!.event).toBe(seen[1]!.event);
    expect(seen[0]!.event.target).toBe(client);
    expect(seen.every((s) => s.self === client)).toBe(true);
  });

  it('calls a once listener once, stops calling a removed one, and starts a listener added mid-frame at the next frame', async () => {
    const { client, peer } = await connectedPair();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    const late = (event: MessageEvent) => calls.push(`late ${event.data}`);
    client.addEventListener('message', (event) => calls.push(`once ${event.data}`), { once: true });
    client.addEventListener('message', removed);
    client.addEventListener('message', removed); // a second add of the same listener is ignored, as in browsers
    client.addEventListener('message', (event) => {
      calls.push(`always ${event.data}`);
      client.addEventListener('message', late);
    });
    const firstDone = nextFrames(client, 1);
    peer.send('a');
    await firstDone;
    client.removeEventListener('message', removed);
    const restDone = nextFrames(client, 2);
    peer.send('b');
    peer.send('c');
    await restDone;
    expect(calls).toEqual(['once a', 'removed', 'always a', 'always b', 'late b', 'always c', 'late c']);
  });

  it('leaves binary frames, the onmessage attribute and the other events to ws', async () => {
    const { client, peer } = await connectedPair();
    client.binaryType = 'arraybuffer';
    const viaAttribute: unknown[] = [];
    client.onmessage = (event) => viaAttribute.push(event.data);
    const viaListener: unknown[] = [];
    client.addEventListener('message', (event) => viaListener.push(event.data));
    const done = nextFrames(client, 2);
    peer.send(Buffer.from([1, 2, 3]));
    peer.send('text');
    await done;
    expect(viaAttribute).toEqual([new Uint8Array([1, 2, 3]).buffer, 'text']);
    expect(viaListener).toEqual(viaAttribute);
    const closed = new Promise<CloseEvent>((resolve) => client.addEventListener('close', resolve));
    peer.close(4001, 'bye');
    expect((await closed).code).toBe(4001);
  });
});
