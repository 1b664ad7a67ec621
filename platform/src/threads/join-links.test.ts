import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, ok, type AccessWorld } from '../access/access-fixture.ts';
import { systemCtx } from '../core/context.ts';

/** ann owns a group with bob in it; carl, dan and mia are elsewhere in the workspace. */
let w: AccessWorld;
let group: string;
beforeAll(async () => {
  w = await accessWorld();
  group = ok(await w.as.ann.post('/api/v1/threads', { kind: 'group', title: '华东销售群', memberIds: [w.users.bob] }), 201).id;
}, 120_000);
afterAll(() => w.t.close());

const linkOf = (threadId: string) => `/api/v1/threads/${threadId}/join-link`;
const codeOf = (code: string) => `/api/v1/join-links/${code}`;

describe('joining a group by its link', () => {
  it('lets anyone in the workspace who has the link see the group and join it as a member', async () => {
    const link = ok(await w.as.ann.post(linkOf(group), {}), 201);
    expect(link).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), expiresAt: expect.any(String), createdBy: w.users.ann, createdAt: expect.any(String) });
    expect(new Date(link.expiresAt).getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(ok(await w.as.bob.get(codeOf(link.code)))).toMatchObject({ threadId: group, kind: 'group', title: '华东销售群', members: 2, joined: true });
    expect(ok(await w.as.carl.get(codeOf(link.code)))).toMatchObject({ members: 2, joined: false });

    expect(ok(await w.as.carl.post(codeOf(link.code)))).toMatchObject({ id: group, kind: 'group', title: '华东销售群' });
    expect(ok(await w.as.carl.post(codeOf(link.code))).id, 'joining again').toBe(group);
    ok(await w.as.carl.post(`/api/v1/threads/${group}/messages`, { clientId: 'hello', body: '大家好' }), 201);
    const roles = await systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!).db.selectFrom('thread_members').select(['user_id', 'role']).where('thread_id', '=', group).execute();
    expect(roles.find((r) => r.user_id === w.users.carl)?.role).toBe('member');
    expect(ok(await w.as.ann.get(linkOf(group))).code).toBe(link.code);
  });

  it('joins a channel as a reader, who may not post', async () => {
    const channel = ok(await w.as.ann.post('/api/v1/threads', { kind: 'announcement', title: '公司公告', memberIds: [] }), 201).id;
    const { code } = ok(await w.as.ann.post(linkOf(channel), { expiresInDays: null }), 201);
    ok(await w.as.dan.post(codeOf(code)));
    const refused = await w.as.dan.post(`/api/v1/threads/${channel}/messages`, { clientId: 'no', body: '我能发言吗' });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'THREAD_READ_ONLY']);
    expect(ok(await w.as.dan.get(`/api/v1/threads/${channel}`)).id).toBe(channel);
  });

  it('stops working once replaced, turned off or expired, with one answer for every dead code', async () => {
    const first = ok(await w.as.ann.post(linkOf(group), {}), 201).code;
    const second = ok(await w.as.ann.post(linkOf(group), { expiresInDays: 1 }), 201).code;
    const invalid = async (code: string) => {
      for (const res of [await w.as.mia.get(codeOf(code)), await w.as.mia.post(codeOf(code))]) {
        expect([res.status, res.body.error.code]).toEqual([404, 'JOIN_LINK_INVALID']);
      }
    };
    await invalid(first);
    await invalid('AAAAAAAAAAAAAAAAAAAAAA');
    await systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!).db.updateTable('thread_join_links').set({ expires_at: new Date(Date.now() - 1000) }).where('code', '=', second).execute();
    await invalid(second);
    const third = ok(await w.as.ann.post(linkOf(group), {}), 201).code;
    ok(await w.as.ann.delete(linkOf(group)), 204);
    await invalid(third);
    expect((await w.as.ann.get(linkOf(group))).body.error.code).toBe('JOIN_LINK_INVALID');
    const zh = await w.as.mia.request('POST', codeOf(third), { headers: { 'accept-language': 'zh-CN' } });
    expect(zh.body.error.message).toMatch(/入群链接无效/);
  });

  it('is for the owner and admins to make, see and turn off; never for a direct or record thread; a malformed code is a 400', async () => {
    for (const [method, path] of [['POST', linkOf(group)], ['GET', linkOf(group)], ['DELETE', linkOf(group)]] as const) {
      const res = await w.as.bob.request(method, path, method === 'POST' ? { body: {} } : {});
      expect([res.status, res.body.error.code], `${method} as a member`).toEqual([403, 'FORBIDDEN']);
      const outsider = await w.as.mia.request(method, path, method === 'POST' ? { body: {} } : {});
      expect([outsider.status, outsider.body.error.code], `${method} from outside`).toEqual([404, 'THREAD_NOT_FOUND']);
    }
    const direct = ok(await w.as.ann.post('/api/v1/threads/direct', { userId: w.users.bob })).id;
    const record = ok(await w.as.ann.get(`/api/v1/objects/deal/records/${w.deals.ann}/thread`)).id;
    for (const id of [direct, record]) expect((await w.as.ann.post(linkOf(id), {})).status).toBe(403);
    for (const bad of [{ expiresInDays: 0 }, { expiresInDays: 366 }, { expiresInDays: 1, extra: true }]) expect((await w.as.ann.post(linkOf(group), bad)).status).toBe(400);
    expect((await w.as.mia.post(codeOf('short'))).status).toBe(400);
    expect((await w.t.app.request(codeOf('AAAAAAAAAAAAAAAAAAAAAA'), { method: 'POST' })).status).toBe(401);
  });
});
