import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { servedForSockets, until, type TestClient } from './socket-testing.ts';

const PASSWORD = 'presence-password-1';
let t: TestPlatform;
let admin: ApiClient;
let schema: string;
const users: Record<string, string> = {};

const served = servedForSockets(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  for (const login of ['ann', 'bob', 'carl', 'dan', 'eve']) {
    users[login] = (await admin.post('/api/v1/org/users', { login, displayName: login, password: PASSWORD })).body.id;
  }
  schema = t.platform.workspaces.list()[0]!.schemas.system;
  return { t };
});

const client = (login: string) => served.connect(login, PASSWORD);
const presenceOf = (who: TestClient, login: string) => who.seen.filter((e) => e.event === 'presence' && e.data.userId === users[login]).map((e) => e.data.status as string);
const directory = async (login: string) => (await admin.get(`/api/v1/org/users/${users[login]}`)).body.presence as string;
const table = (name: string) => sql.table(`${schema}.${name}`);

describe('presence over socket.io', () => {
  it('announces online, away, online and offline to the rest of the workspace, and the directory agrees', async () => {
    const bob = await client('bob');
    const ann = await client('ann');
    await until(() => presenceOf(bob, 'ann').length === 1, 'online');
    expect(await directory('ann')).toBe('online');
    expect(await ann.call('presence:set', { status: 'away' })).toEqual({ ok: true });
    await until(() => presenceOf(bob, 'ann').length === 2, 'away');
    expect(await directory('ann')).toBe('away');
    expect(await ann.call('presence:set', { status: 'online' })).toEqual({ ok: true });
    ann.socket.disconnect();
    await until(() => presenceOf(bob, 'ann').length === 4, 'offline');
    expect(presenceOf(bob, 'ann')).toEqual(['online', 'away', 'online', 'offline']);
    expect(await directory('ann')).toBe('offline');
  });

  it('counts a person online while any of her tabs is in use, and announces only changes of the whole', async () => {
    const bob = await client('bob');
    const tab1 = await client('ann');
    const tab2 = await client('ann');
    await until(() => presenceOf(bob, 'ann').length === 1, 'online');
    await tab1.call('presence:set', { status: 'away' });
    expect(await directory('ann')).toBe('online');
    await tab2.call('presence:set', { status: 'away' });
    await until(() => presenceOf(bob, 'ann').length === 2, 'away');
    tab2.socket.disconnect();
    await until(async () => (await directory('ann')) === 'away', 'still away');
    tab1.socket.disconnect();
    await until(() => presenceOf(bob, 'ann').length === 3, 'offline');
    expect(presenceOf(bob, 'ann')).toEqual(['online', 'away', 'offline']);
  });

  it('answers a bad presence:set with FAILED_VALIDATION', async () => {
    const ann = await client('ann');
    for (const payload of [{ status: 'offline' }, { status: 'busy' }, { status: 'away', userId: users.bob }, 'away', null]) {
      expect(await ann.call('presence:set', payload)).toMatchObject({ error: { code: 'FAILED_VALIDATION' } });
    }
  });
});

describe('presence over HTTP', () => {
  it('is part of every person the directory lists', async () => {
    await client('carl');
    const expected = { admin: 'offline', ann: 'offline', bob: 'offline', carl: 'online', dan: 'offline', eve: 'offline' };
    // The sockets of the tests before close asynchronously: wait for their goodbyes.
    await until(async () => {
      const items = (await admin.get('/api/v1/org/users?limit=200')).body.items as { login: string; presence: string }[];
      const seen = Object.fromEntries(items.map((u) => [u.login, u.presence]));
      return Object.entries(expected).every(([login, status]) => seen[login] === status) && items.length === 6;
    }, 'directory presence');
  });

  it('answers GET /api/v1/presence for a list of ids, unknown ones offline, in the order asked', async () => {
    await client('dan');
    const unknown = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
    const res = await until(async () => {
      const answer = await admin.get(`/api/v1/presence?userIds=${users.dan},${unknown},${users.bob}`);
      // Connecting and disconnecting reach the database a moment after the socket event.
      return answer.body.items[0].status === 'online' && answer.body.items[2].status === 'offline' && answer;
    }, 'dan online and bob offline');
    expect(res.body).toEqual({ items: [{ userId: users.dan, status: 'online' }, { userId: unknown, status: 'offline' }, { userId: users.bob, status: 'offline' }] });
    for (const query of ['', '?userIds=', '?userIds=nope', `?userIds=${Array(201).fill(users.bob).map((id, i) => id.slice(0, -3) + String(i).padStart(3, '0')).join(',')}`]) {
      const bad = await admin.get(`/api/v1/presence${query}`);
      expect(bad.status, query.slice(0, 40)).toBe(400);
      expect(bad.body.error.code).toBe('FAILED_VALIDATION');
    }
    expect((await t.app.request(`/api/v1/presence?userIds=${users.dan}`)).status).toBe(401);
  });
});

describe('processes that stop', () => {
  it("counts a silent process's rows as offline, and a survivor's heartbeat announces it", async () => {
    const db = t.platform.db.kysely;
    const bob = await client('bob');
    // As another process would leave them when killed: a live row and the status it announced.
    await sql`insert into ${table('presence_sessions')} (user_id, process_id, away, seen_at) values (${users.eve}, 'killed-process', false, now())`.execute(db);
    await sql`insert into ${table('presence_users')} (user_id, status) values (${users.eve}, 'online')`.execute(db);
    expect(await directory('eve')).toBe('online');
    await sql`update ${table('presence_sessions')} set seen_at = now() - interval '2 minutes' where process_id = 'killed-process'`.execute(db);
    expect(await directory('eve')).toBe('offline');
    await t.platform.realtime.presence!.heartbeat();
    await until(() => presenceOf(bob, 'eve').at(-1) === 'offline', 'offline announced');
    const left = await sql<{ n: number }>`select count(*)::int as n from ${table('presence_sessions')} where process_id = 'killed-process'`.execute(db);
    expect(left.rows[0]!.n).toBe(0);
  });

  it('keeps its own rows fresh, and writes back the rows swept while it stalled', async () => {
    const db = t.platform.db.kysely;
    const watcher = await client('bob');
    await client('carl');
    await until(() => presenceOf(watcher, 'carl').at(-1) === 'online', 'online');
    await sql`update ${table('presence_sessions')} set seen_at = now() - interval '80 seconds' where user_id = ${users.carl}`.execute(db);
    await t.platform.realtime.presence!.heartbeat();
    expect(await directory('carl')).toBe('online');
    await sql`delete from ${table('presence_sessions')} where user_id = ${users.carl}`.execute(db);
    expect(await directory('carl')).toBe('offline');
    await t.platform.realtime.presence!.heartbeat();
    await until(async () => (await directory('carl')) === 'online', 'row written back');
  });
});
