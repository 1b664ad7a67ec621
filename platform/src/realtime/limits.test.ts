import { describe, expect, it } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { servedForSockets, until } from './socket-testing.ts';

const PASSWORD = 'limits-password-1';
let t: TestPlatform;
const api: Record<string, ApiClient> = {};
let threadId: string;

const served = servedForSockets(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  const admin = await loginAs(t.app);
  const ids: string[] = [];
  for (const login of ['ann', 'bob', 'carl', 'dan']) {
    ids.push((await admin.post('/api/v1/org/users', { login, displayName: login, password: PASSWORD })).body.id);
    api[login] = await loginAs(t.app, login, PASSWORD);
  }
  threadId = (await admin.post('/api/v1/threads', { title: 'limits', memberIds: ids })).body.id;
  return { t };
});

// Every test sends as people of its own: a flood empties that person's bucket for a few seconds.
const client = (login: string) => served.connect(login, PASSWORD);
const bodiesSeen = (seen: { event: string; data: any }[]) => new Set(seen.filter((e) => e.event === 'message:new').map((e) => e.data.clientId as string));

describe('flood protection', () => {
  it('refuses a flooding tab with RATE_LIMITED while another in the same thread sends and receives everything', async () => {
    const ann = await client('ann');
    const bob = await client('bob');
    for (const who of [ann, bob]) expect(await who.call('thread:join', { threadId })).toMatchObject({ ok: true });
    const [flood, bobs] = await Promise.all([
      Promise.all(Array.from({ length: 150 }, (_, i) => ann.call('message:send', { threadId, clientId: `flood-${i}`, body: `flood ${i}` }))),
      (async () => {
        const answers = [];
        for (let i = 0; i < 5; i++) answers.push(await bob.call('message:send', { threadId, clientId: `bob-${i}`, body: `bob ${i}` }));
        return answers;
      })(),
    ]);
    const refused = flood.filter((a) => a.error);
    const sent = flood.filter((a) => a.created).map((a) => a.message.clientId as string);
    expect(refused.length).toBeGreaterThan(50);
    expect(sent.length + refused.length).toBe(150);
    for (const answer of refused) expect(answer.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } });
    expect(refused[0].error.message).toMatch(/1/);
    expect(bobs.every((a) => a.created)).toBe(true);
    const everything = [...sent, ...bobs.map((a) => a.message.clientId as string)];
    await until(() => everything.every((id) => bodiesSeen(bob.seen).has(id)), 'bob receives all that was sent');
    await until(() => bobs.every((a) => bodiesSeen(ann.seen).has(a.message.clientId)), "ann receives bob's messages");
    expect(ann.socket.connected).toBe(true);
  });

  it('limits sends per person over HTTP: 429 RATE_LIMITED with Retry-After; sockets spend from the same bucket', async () => {
    const answers = await Promise.all(Array.from({ length: 80 }, (_, i) => api.carl!.post(`/api/v1/threads/${threadId}/messages`, { clientId: `http-${i}`, body: `http ${i}` })));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(20);
    expect(answers.filter((a) => a.status === 201).length + refused.length).toBe(80);
    expect(refused[0]!.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } });
    expect(refused[0]!.headers.get('retry-after')).toBe('1');
    expect((await api.dan!.post(`/api/v1/threads/${threadId}/messages`, { clientId: 'dan-http', body: 'unaffected' })).status).toBe(201);
    // A fresh socket has a full bucket of its own, but carl's sends are still spent.
    const carl = await client('carl');
    const viaSocket = await Promise.all(Array.from({ length: 20 }, (_, i) => carl.call('message:send', { threadId, clientId: `carl-socket-${i}`, body: 'x' })));
    expect(viaSocket.filter((a) => a.error?.code === 'RATE_LIMITED').length).toBeGreaterThan(10);
  });
});

describe('hostile socket input', () => {
  const huge = 'x'.repeat(100_000);
  const deep = JSON.parse('['.repeat(2000) + ']'.repeat(2000));
  const withThread = (payload: Record<string, unknown>) => ({ threadId, ...payload });
  const cases = (): Record<string, unknown[]> => {
    const anyEvent = [undefined, null, 42, 'text', true, [], [threadId], {}, { threadId: 'nope' }, { threadId: 42 }, { threadId: huge }, deep, withThread({ extra: 1 })];
    return {
      'thread:join': anyEvent,
      'thread:leave': anyEvent,
      typing: anyEvent,
      'message:send': [
        ...anyEvent,
        withThread({ body: 'no client id' }),
        withThread({ clientId: 5, body: 'hi' }),
        withThread({ clientId: 'c', body: 'x'.repeat(10_001) }),
        withThread({ clientId: huge, body: 'hi' }),
        withThread({ clientId: 'c', body: 'nul \u0000' }),
        withThread({ clientId: 'c', body: 'hi', mentions: { users: ['nope'] } }),
        withThread({ clientId: 'c', body: 'hi', authorId: threadId }),
      ],
      'presence:set': [...anyEvent, { status: 'busy' }, { status: huge }, { status: 'away', userId: threadId }],
    };
  };

  it('answers every malformed payload to every event with FAILED_VALIDATION, and stays up', async () => {
    for (const [event, payloads] of Object.entries(cases())) {
      // A socket per event, so that the socket's own rate limit does not answer instead.
      const bob = await client('bob');
      for (const payload of payloads) {
        const answer = await bob.call(event, payload);
        expect(answer?.error?.code, `${event} ${JSON.stringify(payload)?.slice(0, 60)}`).toBe('FAILED_VALIDATION');
        expect(answer.error.message).toBeTruthy();
      }
      expect(bob.socket.connected).toBe(true);
    }
    const check = await client('bob');
    expect(await check.call('thread:join', { threadId })).toMatchObject({ ok: true });
  });

  it('survives events without an ack, and answers a callback sent in place of the payload', async () => {
    const dan = await client('dan');
    dan.socket.emit('message:send', withThread({ clientId: 'no-ack', body: 'fire and forget' }));
    dan.socket.emit('message:send', { bad: true });
    dan.socket.emit('thread:join', 'nonsense');
    dan.socket.emit('no-such-event', { threadId });
    const answer = await new Promise((resolve) => dan.socket.emit('typing', resolve));
    expect(answer).toMatchObject({ error: { code: 'FAILED_VALIDATION' } });
    await until(async () => (await api.dan!.get(`/api/v1/threads/${threadId}/messages?limit=200`)).body.items.some((m: { clientId: string }) => m.clientId === 'no-ack'), 'stored');
    expect(dan.socket.connected).toBe(true);
    expect(await dan.call('thread:join', { threadId })).toMatchObject({ ok: true });
  });

  it('closes only the connection that sends an oversized frame', async () => {
    const dan = await client('dan');
    const bob = await client('bob');
    await bob.call('thread:join', { threadId });
    const closed = new Promise<string>((resolve) => dan.socket.once('disconnect', resolve));
    dan.socket.emit('message:send', withThread({ clientId: 'too-big', body: 'x'.repeat(200_000) }));
    expect(await closed).toMatch(/transport/);
    expect(bob.socket.connected).toBe(true);
    expect(await bob.call('message:send', withThread({ clientId: 'after-big', body: 'still here' }))).toMatchObject({ created: true });
  });
});
