import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../testing/index.ts';
import { accessWorld, DEALS, finishedJob, ok, type AccessWorld, type Person } from './access-fixture.ts';

/**
 * Three roles × every record endpoint × the actor's own record, a teammate's and another department's.
 * A record the actor may not read does not exist for her (404, the same answer as for a guessed id);
 * one she may read but not change or delete answers 403.
 */
let w: AccessWorld;
beforeAll(async () => {
  w = await accessWorld();
}, 120_000);
afterAll(() => w.t.close());

type Actor = 'admin' | 'manager' | 'member';
type Relation = 'own' | 'teammate' | 'other';
type Action = 'read' | 'edit' | 'delete';

const person: Record<Actor, Person | 'admin'> = { admin: 'admin', manager: 'mia', member: 'ann' };
const owners: Record<Actor, Record<Relation, Person | 'admin'>> = {
  admin: { own: 'admin', teammate: 'ann', other: 'carl' },
  manager: { own: 'mia', teammate: 'ann', other: 'carl' },
  member: { own: 'ann', teammate: 'bob', other: 'carl' },
};
/** What the roles say: members read their departments' deals and change their own; managers change their departments' too. */
const allowed: Record<Actor, Record<Action, Relation[]>> = {
  admin: { read: ['own', 'teammate', 'other'], edit: ['own', 'teammate', 'other'], delete: ['own', 'teammate', 'other'] },
  manager: { read: ['own', 'teammate'], edit: ['own', 'teammate'], delete: ['own'] },
  member: { read: ['own', 'teammate'], edit: ['own'], delete: ['own'] },
};

const client = (actor: Actor): ApiClient => (actor === 'admin' ? w.admin : w.as[person[actor] as Person]);
const titleOf = (owner: Person | 'admin') => `${owner}'s deal`;
const filterBy = (owner: Person | 'admin') => encodeURIComponent(JSON.stringify({ field: 'title', op: 'eq', value: titleOf(owner) }));
/** The status a refused or allowed call answers. */
const expected = (actor: Actor, relation: Relation, action: Action, success: number) =>
  allowed[actor][action].includes(relation) ? success : allowed[actor].read.includes(relation) ? 403 : 404;

const cases = (['admin', 'manager', 'member'] as const).flatMap((actor) => (['own', 'teammate', 'other'] as const).map((relation) => ({ actor, relation })));

describe.each(cases)('$actor on the $relation record', ({ actor, relation }) => {
  const owner = () => owners[actor][relation];
  const id = () => w.deals[owner()];
  const readable = allowed[actor].read.includes(relation);

  it(`list ${readable ? 'includes' : 'leaves out'} it`, async () => {
    const page = ok(await client(actor).get(`${DEALS}?limit=200`));
    expect(page.items.some((r: { id: string }) => r.id === id())).toBe(readable);
  });

  it(`count ${readable ? 'counts' : 'does not count'} it`, async () => {
    expect(ok(await client(actor).get(`${DEALS}?count=true&filter=${filterBy(owner())}`)).total).toBe(readable ? 1 : 0);
  });

  it(`aggregate ${readable ? 'groups' : 'leaves out'} it`, async () => {
    const result = ok(await client(actor).get(`/api/v1/objects/deal/aggregate?groupBy=title&metrics=sum:amount&filter=${filterBy(owner())}`));
    expect(result.groups).toEqual(readable ? [{ keys: { title: titleOf(owner()) }, count: 1, values: { 'sum:amount': '1000.00' } }] : []);
  });

  it(`get answers ${readable ? 200 : 404}`, async () => {
    const res = await client(actor).get(`${DEALS}/${id()}`);
    expect(res.status).toBe(readable ? 200 : 404);
    if (!readable) expect(res.body.error.code).toBe('RECORD_NOT_FOUND');
  });

  it(`expand answers ${readable ? 200 : 404}`, async () => {
    const res = await client(actor).get(`${DEALS}/${id()}?expand=customer`);
    expect(res.status).toBe(readable ? 200 : 404);
    if (readable) expect(res.body._expanded.customer.name).toBe('Acme');
  });

  it(`history answers ${readable ? 200 : 404}`, async () => {
    expect((await client(actor).get(`${DEALS}/${id()}/history`)).status).toBe(readable ? 200 : 404);
  });

  it(`patch answers ${expected(actor, relation, 'edit', 200)}`, async () => {
    const status = expected(actor, relation, 'edit', 200);
    const res = await client(actor).patch(`${DEALS}/${id()}`, { region: `set by ${actor}` });
    expect(res.status).toBe(status);
    if (status === 403) expect(res.body.error.code).toBe('RECORD_ACCESS_DENIED');
    expect(ok(await w.admin.get(`${DEALS}/${id()}`)).region).toEqual(status === 200 ? `set by ${actor}` : expect.not.stringContaining(`set by ${actor}`));
  });

  it(`bulk update answers ${expected(actor, relation, 'edit', 200)} and applies all or nothing`, async () => {
    const status = expected(actor, relation, 'edit', 200);
    const mine = w.deals[person[actor]];
    const marker = `bulk ${actor} ${relation}`;
    const res = await client(actor).post(`${DEALS}/bulk`, { update: [{ id: mine, region: marker }, { id: id(), region: marker }] });
    expect(res.status).toBe(status);
    expect(ok(await w.admin.get(`${DEALS}/${mine}`)).region === marker).toBe(status === 200);
    if (status !== 200) expect(res.body.error.details).toMatchObject({ op: 'update', index: 1 });
  });

  it(`delete answers ${expected(actor, relation, 'delete', 204)}`, async () => {
    const status = expected(actor, relation, 'delete', 204);
    const ownerClient = owner() === 'admin' ? w.admin : w.as[owner() as Person];
    const victim = ok(await ownerClient.post(DEALS, { title: `to delete ${actor} ${relation}`, amount: '1' }), 201).id;
    expect((await client(actor).delete(`${DEALS}/${victim}`)).status).toBe(status);
    expect((await w.admin.get(`${DEALS}/${victim}`)).status).toBe(status === 204 ? 404 : 200);
  });

  it(`export ${readable ? 'writes' : 'leaves out'} it, without hidden fields`, async () => {
    const job = ok(await client(actor).post(`${DEALS}/export`, { filter: JSON.stringify({ field: 'title', op: 'eq', value: titleOf(owner()) }) }), 202);
    expect((await finishedJob(client(actor), job.id)).result).toEqual({ rows: readable ? 1 : 0 });
    const csv = (await client(actor).get(`/api/v1/jobs/${job.id}/file`)).body as string;
    expect(csv.includes(id())).toBe(readable);
    expect(csv.includes('margin')).toBe(actor !== 'member');
  });
});

describe.each(['admin', 'manager', 'member'] as const)('%s creating', (actor) => {
  it('creates a record she owns', async () => {
    const created = ok(await client(actor).post(DEALS, { title: `new by ${actor}`, amount: '5' }), 201);
    expect(created.owner).toBe(w.users[person[actor]]);
  });

  it(actor === 'admin' ? 'may create it for someone else' : 'may not create it for someone else (403)', async () => {
    const res = await client(actor).post(DEALS, { title: `for bob by ${actor}`, owner: w.users.bob });
    expect(res.status).toBe(actor === 'admin' ? 201 : 403);
    if (actor !== 'admin') expect(res.body.error.code).toBe('OWNER_CHANGE_FORBIDDEN');
  });
});

describe('guessing ids', () => {
  it('answers exactly as for a record in another department: 404 RECORD_NOT_FOUND, for every endpoint', async () => {
    const guessed = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
    for (const id of [guessed, w.deals.carl]) {
      for (const res of [
        await w.as.ann.get(`${DEALS}/${id}`),
        await w.as.ann.patch(`${DEALS}/${id}`, { region: 'x' }),
        await w.as.ann.delete(`${DEALS}/${id}`),
        await w.as.ann.get(`${DEALS}/${id}/history`),
        await w.as.ann.get(`${DEALS}/${id}/shares`),
        await w.as.ann.post(`${DEALS}/${id}/shares`, { grantee: { kind: 'user', id: w.users.ann } }),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('RECORD_NOT_FOUND');
      }
    }
  });
});
