import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ActivityEvent } from '@parley/api';
import { openFaultScenario, type FaultScenario } from '../helpers/faultScenario.ts';
import type { ServerProcess } from '../helpers/serverProcess.ts';
import { wsClient } from '../helpers/trpcClients.ts';

// Short presence timings so the test is quick; the bound scales with them (defaults: 5 s and 15 s).
const HEARTBEAT_MS = 300;
const TIMEOUT_MS = 1500;
/** A killed process's users are announced offline within the timeout plus one survivor heartbeat. */
const BOUND_MS = TIMEOUT_MS + HEARTBEAT_MS;

let scenario: FaultScenario;
let doomed: ServerProcess;
let survivor: ServerProcess;

beforeAll(async () => {
  scenario = await openFaultScenario();
  [doomed, survivor] = (await scenario.startServers(2, {
    PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
    PRESENCE_TIMEOUT_MS: String(TIMEOUT_MS),
    MAX_SOCKETS_PER_USER: '1',
  })) as [ServerProcess, ServerProcess];
}, 60_000);

afterAll(async () => {
  await scenario?.cleanup();
}, 60_000);

describe('a server process killed with SIGKILL while users are online on it', () => {
  it('its users go offline for the others within the bound, and their sockets stop counting', async () => {
    const { alice, bob } = await scenario.createThread(survivor);
    const bobWs = wsClient(survivor.wsUrl, bob.token);
    const aliceWs = wsClient(doomed.wsUrl, alice.token);
    scenario.defer(() => Promise.all([bobWs.close(), aliceWs.close()]));
    const events: Array<ActivityEvent & { at: number }> = [];
    await new Promise<void>((resolve) => {
      bobWs.client.thread.onActivity.subscribe(undefined, {
        onData: (event) => (event.type === 'resync' ? resolve() : events.push({ ...event, at: Date.now() })),
      });
    });
    const aliceUser = (await aliceWs.client.auth.me.query())!;
    const presence = () => events.filter((e) => e.type === 'presence');
    await vi.waitFor(() => expect(presence()).toMatchObject([{ userId: aliceUser.id, online: true }]));

    const killedAt = Date.now();
    expect(await scenario.stopServer(doomed, 'SIGKILL')).toBeNull();
    await vi.waitFor(() => expect(presence()).toMatchObject([{ online: true }, { online: false }]), { timeout: BOUND_MS * 3 });
    const offlineAfterMs = presence()[1]!.at - killedAt;
    console.info(`[SIGKILL] alice announced offline ${offlineAfterMs} ms after her process was killed (bound ${BOUND_MS} ms)`);
    expect(offlineAfterMs).toBeLessThanOrEqual(BOUND_MS + 500); // scheduling and delivery slack

    const [seen] = await bobWs.client.user.presence.query({ userIds: [aliceUser.id] });
    expect(seen).toMatchObject({ online: false, lastSeenAt: expect.any(String) });
    // Her one allowed socket died with the process: a new one on the survivor is admitted.
    const aliceAgain = wsClient(survivor.wsUrl, alice.token);
    scenario.defer(() => aliceAgain.close());
    expect((await aliceAgain.client.auth.me.query())?.username).toBe(alice.username);
    expect(aliceAgain.closeCodes).not.toContain(4429);
  }, 30_000);
});
