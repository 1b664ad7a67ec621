import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { systemCtx } from '../core/context.ts';
import { AUTH_CHANNEL, recall, remember, type Credential } from './credential-cache.ts';

let t: TestPlatform;
let admin: ApiClient;

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
});
afterAll(() => t.close());

async function member(login: string) {
  const res = await admin.post('/api/v1/org/users', { login, displayName: `Member ${login}`, password: 'member-password-1' });
  expect(res.status).toBe(201);
  return { id: res.body.id as string, client: await loginAs(t.app, login, 'member-password-1') };
}

describe('cached credentials', () => {
  it('follow a change of admin rights on the very next request', async () => {
    const { id, client } = await member('promoted');
    const probe = () => client.patch(`/api/v1/org/users/${id}`, { jobTitle: 'Lead' });
    expect((await probe()).status).toBe(403);
    expect((await admin.patch(`/api/v1/org/users/${id}`, { isAdmin: true })).status).toBe(200);
    expect((await probe()).status).toBe(200);
    expect((await admin.patch(`/api/v1/org/users/${id}`, { isAdmin: false })).status).toBe(200);
    expect((await probe()).status).toBe(403);
  });

  it('follow a change of language on the very next request', async () => {
    const { client } = await member('polyglot');
    const missing = () => client.get(`/api/v1/org/users/${randomUUID()}`);
    expect((await missing()).body.error.message).toBe('该用户不存在。');
    expect((await client.patch('/api/v1/me', { locale: 'en' })).status).toBe(200);
    expect((await missing()).body.error.message).toBe('This user does not exist.');
  });

  it('of a token revoked by another process are refused here once its NOTIFY arrives', async () => {
    const { id, client } = await member('elsewhere');
    const token = (await client.post('/api/v1/me/tokens', { name: 'ci' })).body.secret as string;
    const viaToken = apiClient(t.app, token);
    expect((await viaToken.get('/api/v1/me')).status).toBe(200);
    const system = t.platform.workspaces.list()[0]!.schemas.system;
    const tokens = t.platform.db.kysely.withSchema(system).updateTable('api_tokens').set({ revoked_at: new Date() }).where('user_id', '=', id);
    // Changed behind this process's back, as another process would: the credential is still trusted…
    await tokens.execute();
    expect((await viaToken.get('/api/v1/me')).status).toBe(200);
    // …until the notification that process sends with its commit arrives.
    await sql`select pg_notify(${AUTH_CHANNEL}, ${`${system} ${id}`})`.execute(t.platform.db.kysely);
    await vi.waitFor(async () => expect((await viaToken.get('/api/v1/me')).status).toBe(401), { timeout: 5000, interval: 20 });
  });

  it('are asked for again after ten seconds, or when the session expires sooner', async () => {
    const ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
    const credential: Credential = { userId: randomUUID(), login: 'x', isAdmin: false, locale: null, session: null };
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      remember(ctx, 'long-lived', credential, null, (await recall(ctx, 'long-lived')).since);
      remember(ctx, 'ending', credential, new Date(Date.now() + 2000), (await recall(ctx, 'ending')).since);
      expect((await recall(ctx, 'long-lived')).credential).toEqual(credential);
      vi.advanceTimersByTime(3000);
      expect((await recall(ctx, 'ending')).credential).toBeNull();
      expect((await recall(ctx, 'long-lived')).credential).toEqual(credential);
      vi.advanceTimersByTime(8000);
      expect((await recall(ctx, 'long-lived')).credential).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('are not kept when an invalidation arrives while they are being read', async () => {
    const ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
    const credential: Credential = { userId: randomUUID(), login: 'y', isAdmin: false, locale: null, session: null };
    const { since } = await recall(ctx, 'racing');
    await sql`select pg_notify(${AUTH_CHANNEL}, ${`${ctx.workspace.schemas.system} ${randomUUID()}`})`.execute(t.platform.db.kysely);
    await vi.waitFor(async () => expect((await recall(ctx, 'probe')).since).not.toBe(since), { timeout: 5000, interval: 20 });
    remember(ctx, 'racing', credential, null, since);
    expect((await recall(ctx, 'racing')).credential).toBeNull();
  });
});
