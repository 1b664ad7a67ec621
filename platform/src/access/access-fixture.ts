import { expect } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field as f, label, objectDef, option } from '../testing/meta-builders.ts';

/**
 * A small sales organisation for access tests, set up only through the public API:
 *
 *   East ── East-North        West
 *   mia (sales_manager), ann, bob in East; dan in East-North; carl in West.
 *
 * Every user may read deals of her departments, change and delete her own, and never sees `margin`
 * (nor the formula `margin_pct` that reads it); the sales_manager role reads and changes deals of her
 * departments and those below, and may read `margin`. Each person owns one deal.
 */
export type AccessWorld = {
  t: TestPlatform;
  admin: ApiClient;
  as: Record<Person, ApiClient>;
  users: Record<Person | 'admin', string>;
  departments: Record<'east' | 'eastNorth' | 'west', string>;
  roles: { member: string; manager: string };
  deals: Record<Person | 'admin', string>;
  customerId: string;
};
export type Person = 'mia' | 'ann' | 'bob' | 'dan' | 'carl';

export const DEALS = '/api/v1/objects/deal/records';
export const PASSWORD = 'member-password-1';

export const memberPermissions = (dealRead = 'department') => [
  { object: 'deal', create: true, read: dealRead, edit: 'own', delete: 'own', fields: { margin: 'hidden' } },
  { object: '*', create: true, read: 'all', edit: 'own', delete: 'own' },
];

const model = {
  objects: [
    objectDef('customer', 'name', [f('name', 'text', { required: true })]),
    objectDef('deal', 'title', [
      f('title', 'text', { required: true, tracked: true }),
      f('amount', 'decimal', { precision: 12, scale: 2, tracked: true }),
      f('margin', 'decimal', { precision: 12, scale: 2, tracked: true }),
      f('margin_pct', 'formula', { expression: 'ROUND(margin / amount, 2)', resultType: 'decimal' }),
      f('stage', 'single_select', { options: [option('new'), option('won'), option('lost')] }),
      f('region', 'text'),
      f('customer', 'lookup', { target: 'customer', onDelete: 'set_null' }),
    ]),
  ],
};

export function ok<T extends { status: number; body: any }>(res: T, status = 200): T['body'] {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

export async function accessWorld(): Promise<AccessWorld> {
  const t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  const admin = await loginAs(t.app);
  ok(await admin.request('PUT', '/api/v1/meta/draft', { body: model }));
  ok(await admin.post('/api/v1/meta/publish'));
  const department = async (name: string, parentId: string | null = null) => ok(await admin.post('/api/v1/org/departments', { name, parentId }), 201).id as string;
  const east = await department('East');
  const departments = { east, eastNorth: await department('East-North', east), west: await department('West') };
  const home: Record<Person, string> = { mia: east, ann: east, bob: east, dan: departments.eastNorth, carl: departments.west };
  const users = { admin: ok(await admin.get('/api/v1/me')).user.id } as AccessWorld['users'];
  const as = {} as Record<Person, ApiClient>;
  for (const person of Object.keys(home) as Person[]) {
    users[person] = ok(await admin.post('/api/v1/org/users', { login: person, displayName: person, password: PASSWORD, mainDepartmentId: home[person] }), 201).id;
    as[person] = await loginAs(t.app, person, PASSWORD);
  }
  const roleList = ok(await admin.get('/api/v1/access/roles')).items as { id: string; key: string }[];
  const member = roleList.find((r) => r.key === 'member')!.id;
  ok(await admin.patch(`/api/v1/access/roles/${member}`, { permissions: memberPermissions() }));
  const manager = ok(
    await admin.post('/api/v1/access/roles', {
      key: 'sales_manager',
      label: label('Sales manager'),
      permissions: [{ object: 'deal', create: true, read: 'department_tree', edit: 'department_tree', delete: 'own', fields: { margin: 'read' } }],
    }),
    201,
  ).id as string;
  ok(await admin.request('PUT', `/api/v1/access/roles/${manager}/members`, { body: { userIds: [users.mia] } }));
  const customerId = ok(await admin.post('/api/v1/objects/customer/records', { name: 'Acme' }), 201).id as string;
  const deals = {} as AccessWorld['deals'];
  for (const person of ['admin', ...Object.keys(home)] as (Person | 'admin')[]) {
    const client = person === 'admin' ? admin : as[person];
    deals[person] = ok(await client.post(DEALS, { title: `${person}'s deal`, amount: '1000', stage: 'won', region: 'north', customer: customerId }), 201).id;
  }
  // Margins are set by the administrator: members may not write the field.
  for (const id of Object.values(deals)) ok(await admin.patch(`${DEALS}/${id}`, { margin: '250' }));
  return { t, admin, as, users, departments, roles: { member, manager }, deals, customerId };
}

/** Polls a job the way a client does, until it has ended. */
export async function finishedJob(client: ApiClient, id: string) {
  for (let i = 0; i < 200; i++) {
    const job = ok(await client.get(`/api/v1/jobs/${id}`));
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not finish`);
}
