import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { signUpOverHttp } from '../helpers/trpcClients.ts';
import { getProcedure, postProcedure } from './attacker.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(env: Record<string, string> = {}) {
  const s = await startTestServer({ env });
  servers.push(s);
  return s;
}

describe('a signed-in stranger probing for what exists', () => {
  it('gets the same NOT_FOUND for a thread it is not in as for one that does not exist', async () => {
    const s = await server();
    const alice = await signUpOverHttp(s.url, 'alice');
    await signUpOverHttp(s.url, 'bob');
    const mallory = await signUpOverHttp(s.url, 'mallory');
    const thread = (await postProcedure(s.url, 'thread.getOrCreate', { username: 'bob' }, { authorization: `Bearer ${alice.token}` })).data as {
      id: string;
    };
    const as = { authorization: `Bearer ${mallory.token}` };
    for (const threadId of [thread.id, 'no-such-thread-id']) {
      const answers = [
        await postProcedure(s.url, 'message.send', { threadId, body: 'hi' }, as),
        await getProcedure(s.url, 'message.list', { threadId }, as),
        await postProcedure(s.url, 'thread.markRead', { threadId, seq: 1 }, as),
        await postProcedure(s.url, 'thread.typing', { threadId }, as),
      ];
      expect(answers.map((a) => [a.status, a.code, a.message])).toEqual(Array(4).fill([404, 'NOT_FOUND', 'No such thread']));
    }
  });

  it('learns from thread.createGroup only that some name is unknown, not which', async () => {
    const s = await server();
    const mallory = await signUpOverHttp(s.url, 'mallory');
    await signUpOverHttp(s.url, 'alice');
    const answer = await postProcedure(
      s.url,
      'thread.createGroup',
      { usernames: ['alice', 'ghost', 'phantom'] },
      { authorization: `Bearer ${mallory.token}` },
    );
    expect(answer.code).toBe('NOT_FOUND');
    expect(answer.message).not.toMatch(/alice|ghost|phantom/);
  });

  it('is rate limited on username look-ups', async () => {
    const s = await server({ USERNAME_LOOKUPS_PER_MINUTE: '5' });
    const mallory = await signUpOverHttp(s.url, 'mallory');
    const as = { authorization: `Bearer ${mallory.token}` };
    const codes = [];
    for (let i = 0; i < 8; i++) codes.push((await postProcedure(s.url, 'thread.getOrCreate', { username: `guess${i}` }, as)).code);
    expect(codes).toEqual([...Array(5).fill('NOT_FOUND'), ...Array(3).fill('TOO_MANY_REQUESTS')]);
    const group = await postProcedure(s.url, 'thread.createGroup', { usernames: ['a-guess', 'b-guess'] }, as);
    expect(group.code).toBe('TOO_MANY_REQUESTS');
    expect(group.retryAfterMs).toBeGreaterThan(0);
  });
});
