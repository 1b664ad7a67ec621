import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, DEALS, memberPermissions, ok, PASSWORD, type AccessWorld, type Person } from '../access/access-fixture.ts';
import { asUser } from '../access/index.ts';
import { inTransaction, systemCtx } from '../core/context.ts';
import { download, png, tokenFor, upload } from './files-fixture.ts';
import { linkFilesToRecord } from './index.ts';

let w: AccessWorld;
const tokens = {} as Record<Person | 'admin', string>;
beforeAll(async () => {
  w = await accessWorld();
  tokens.admin = await tokenFor(w.t.app);
  for (const person of ['mia', 'ann', 'bob', 'dan', 'carl'] as Person[]) tokens[person] = await tokenFor(w.t.app, person, PASSWORD);
}, 120_000);
afterAll(() => w.t.close());

const uploadAs = async (person: Person | 'admin', name = 'scan.png') => {
  const res = await upload(w.t.app, tokens[person], await png(40, 30), name, 'image/png');
  expect(res.status).toBe(201);
  return res.json.id as string;
};
/** The status each person gets for the file and for its thumbnail: they must always agree. */
async function statuses(id: string) {
  const out: Record<string, number> = {};
  for (const person of Object.keys(tokens) as (Person | 'admin')[]) {
    const file = await download(w.t.app, tokens[person], `/api/v1/files/${id}`);
    const thumbnail = await download(w.t.app, tokens[person], `/api/v1/files/${id}/thumbnail`);
    expect(thumbnail.status, person).toBe(file.status);
    if (file.status === 404) expect(file.json.error.code).toBe('FILE_NOT_FOUND');
    out[person] = file.status;
  }
  return out;
}
const link = async (person: Person, fileIds: string[], recordId: string) => {
  const ctx = await asUser(systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!), w.users[person]);
  return inTransaction(ctx, (tx) => linkFilesToRecord(tx, fileIds, 'deal', recordId));
};

describe('who may download a file', () => {
  it('an unlinked file: its uploader and administrators; everyone else is told it does not exist', async () => {
    const id = await uploadAs('ann');
    expect(await statuses(id)).toEqual({ admin: 200, ann: 200, mia: 404, bob: 404, dan: 404, carl: 404 });
    expect((await download(w.t.app, tokens.carl, '/api/v1/files/0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee')).json.error.code).toBe('FILE_NOT_FOUND');
    expect((await w.t.app.request(`/api/v1/files/${id}`)).status).toBe(401);
  });

  it("a file linked to a record: whoever may read the record, through roles, the manager chain and shares", async () => {
    const id = await uploadAs('ann');
    await link('ann', [id], w.deals.ann);
    // Members read deals of their own department: bob (East) does, dan (East-North) and carl (West) do not; mia manages East.
    expect(await statuses(id)).toEqual({ admin: 200, ann: 200, mia: 200, bob: 200, dan: 404, carl: 404 });
    const share = ok(await w.as.ann.post(`${DEALS}/${w.deals.ann}/shares`, { grantee: { kind: 'user', id: w.users.carl } }), 201);
    expect((await statuses(id)).carl).toBe(200);
    expect((await w.as.ann.delete(`${DEALS}/${w.deals.ann}/shares/${share.id}`)).status).toBe(204);
    expect((await statuses(id)).carl).toBe(404);
  });

  it('follows the member role at once when an administrator narrows it to own records', async () => {
    const id = await uploadAs('ann');
    await link('ann', [id], w.deals.ann);
    ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions('own') }));
    try {
      expect(await statuses(id)).toEqual({ admin: 200, ann: 200, mia: 200, bob: 404, dan: 404, carl: 404 });
    } finally {
      ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions() }));
    }
  });

  it('a file linked only to a thread stays with its uploader and administrators until threads add their members', async () => {
    const id = await uploadAs('ann');
    await systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!).db.updateTable('files').set({ thread_id: '0190aaaa-bbbb-7ccc-8ddd-000000000001' }).where('id', '=', id).execute();
    expect(await statuses(id)).toEqual({ admin: 200, ann: 200, mia: 404, bob: 404, dan: 404, carl: 404 });
  });
});

describe('linking files to a record', () => {
  it("refuses, as a whole, someone else's file, a file linked elsewhere and unknown ids", async () => {
    const mine = await uploadAs('bob');
    const annsFile = await uploadAs('ann');
    const elsewhere = await uploadAs('bob');
    await link('bob', [elsewhere], w.deals.bob);
    for (const ids of [[mine, annsFile], [mine, elsewhere], [mine, '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee'], [mine, 'not-an-id']]) {
      const error = await link('bob', ids, w.deals.mia).catch((e: unknown) => e);
      expect(error, JSON.stringify(ids)).toMatchObject({ code: 'FILE_NOT_LINKABLE', status: 422, details: { fileIds: [ids[1]] } });
    }
    // Nothing was linked: bob's own file is still his alone.
    expect((await statuses(mine)).mia).toBe(404);
  });

  it('links several files at once, and linking again to the same record is allowed to anyone', async () => {
    const files = [await uploadAs('mia', '合同扫描.png'), await uploadAs('mia')];
    await link('mia', files, w.deals.mia);
    await link('bob', files, w.deals.mia);
    for (const id of files) expect((await statuses(id)).bob).toBe(200);
  });
});
