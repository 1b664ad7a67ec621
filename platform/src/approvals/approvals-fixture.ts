import { expect } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform, eventually } from '../testing/index.ts';
import { field, label, objectDef, option } from '../testing/meta-builders.ts';

/**
 * A small company for approval tests, set up through the public API:
 *
 *   Sales (head: dave) ── alice (manager: bob), bob (manager: carol), erin, frank
 *   Finance (head: carol)
 *
 * Members read only their own expenses (so approvers read them through the approval's share) and never
 * see `secret`. Every flow is "submit for approval" on an expense (manual, an approval as first step),
 * then records the outcome in `status` (the flow's update runs as the system, through the lock).
 */
export type Person = 'alice' | 'bob' | 'carol' | 'dave' | 'erin' | 'frank';
export type ApprovalWorld = {
  t: TestPlatform;
  admin: ApiClient;
  as: Record<Person, ApiClient>;
  users: Record<Person | 'admin', string>;
  departments: { sales: string; finance: string };
  expense(values?: Record<string, unknown>, by?: Person): Promise<string>;
  submit(flow: string, recordId: string, by?: Person): Promise<any>;
  /** The approval once its step has asked its first approvers (its card is posted). */
  started(id: string): Promise<any>;
  act(who: Person | 'admin', id: string, action: Record<string, unknown>): Promise<{ status: number; body: any }>;
  /** The flow run of an approval once it is over. */
  runOf(approvalId: string): Promise<any>;
  messages(recordId: string): Promise<any[]>;
};

export const PASSWORD = 'member-password-1';
export const EXPENSES = '/api/v1/objects/expense/records';

export function ok<T extends { status: number; body: any }>(res: T, status = 200): T['body'] {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

/** Waits for what the platform does in the background. */
export const until = eventually;

const edge = (source: string, target: string, sourceHandle?: 'true' | 'false') => ({ id: `${source}-${target}`, source, target, ...(sourceHandle && { sourceHandle }) });

/** start → approval → outcome recorded on the record → end. */
export function approvalFlow(name: string, data: Record<string, unknown>, trigger: Record<string, unknown> = { type: 'manual', object: 'expense' }) {
  return {
    name,
    label: label(name),
    trigger,
    nodes: [
      { id: 'start', type: 'start', data: {} },
      { id: 'ask', type: 'approval', data },
      { id: 'passed', type: 'condition', data: { expression: "steps.ask.outcome === 'approved'" } },
      { id: 'yes', type: 'update_record', data: { values: { status: 'approved' } } },
      { id: 'no', type: 'update_record', data: { values: { status: { expr: 'steps.ask.outcome' } } } },
      { id: 'end', type: 'end', data: {} },
      { id: 'end_no', type: 'end', data: {} },
    ],
    edges: [edge('start', 'ask'), edge('ask', 'passed'), edge('passed', 'yes', 'true'), edge('passed', 'no', 'false'), edge('yes', 'end'), edge('no', 'end_no')],
  };
}

export const expenseObject = objectDef('expense', 'title', [
  field('title', 'text', { required: true }),
  field('amount', 'integer'),
  field('note', 'text'),
  field('secret', 'text'),
  field('checker', 'user'),
  field('status', 'single_select', { options: [option('approved'), option('rejected'), option('recalled'), option('cancelled')] }),
]);

export async function approvalWorld(flows: (w: { users: ApprovalWorld['users']; departments: ApprovalWorld['departments'] }) => unknown[], extraObjects: unknown[] = []): Promise<ApprovalWorld> {
  const t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  const admin = await loginAs(t.app);
  const users = { admin: ok(await admin.get('/api/v1/me')).user.id } as ApprovalWorld['users'];
  const department = async (name: string) => ok(await admin.post('/api/v1/org/departments', { name }), 201).id as string;
  const departments = { sales: await department('Sales'), finance: await department('Finance') };
  const as = {} as Record<Person, ApiClient>;
  for (const person of ['carol', 'dave', 'bob', 'alice', 'erin', 'frank'] as Person[]) {
    const main = person === 'carol' ? departments.finance : departments.sales;
    const manager = person === 'alice' ? users.bob : person === 'bob' ? users.carol : undefined;
    users[person] = ok(await admin.post('/api/v1/org/users', { login: person, displayName: person, password: PASSWORD, mainDepartmentId: main, ...(manager && { managerId: manager }) }), 201).id;
    as[person] = await loginAs(t.app, person, PASSWORD);
  }
  ok(await admin.patch(`/api/v1/org/departments/${departments.sales}`, { managerId: users.dave }));
  ok(await admin.patch(`/api/v1/org/departments/${departments.finance}`, { managerId: users.carol }));
  ok(await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [expenseObject, ...extraObjects], flows: flows({ users, departments }) } }));
  ok(await admin.post('/api/v1/meta/publish'));
  const roles = ok(await admin.get('/api/v1/access/roles')).items as { id: string; key: string }[];
  ok(
    await admin.patch(`/api/v1/access/roles/${roles.find((r) => r.key === 'member')!.id}`, {
      permissions: [
        { object: 'expense', create: true, read: 'own', edit: 'own', delete: 'own', fields: { secret: 'hidden' } },
        { object: '*', create: true, read: 'all', edit: 'own', delete: 'own' },
      ],
    }),
  );
  const client = (who: Person | 'admin') => (who === 'admin' ? admin : as[who]);
  const world: ApprovalWorld = {
    t,
    admin,
    as,
    users,
    departments,
    expense: async (values = {}, by = 'alice') => ok(await as[by].post(EXPENSES, { title: 'Taxi', amount: 100, ...values }), 201).id,
    submit: async (flow, recordId, by = 'alice') => ok(await as[by].post('/api/v1/approvals', { object: 'expense', recordId, flow }), 201),
    started: (id) => until(async () => ok(await admin.get(`/api/v1/approvals/${id}`)), (a) => a.cardMessageId !== null || a.status !== 'pending'),
    act: (who, id, action) => client(who).post(`/api/v1/approvals/${id}/actions`, action),
    runOf: async (approvalId) => {
      const { runId } = ok(await admin.get(`/api/v1/approvals/${approvalId}`));
      return until(async () => ok(await admin.get(`/api/v1/flow-runs/${runId}`)), (r) => ['done', 'needs_attention', 'cancelled'].includes(r.status));
    },
    messages: async (recordId) => {
      const thread = ok(await admin.get(`${EXPENSES}/${recordId}/thread`)).id;
      return (ok(await admin.get(`/api/v1/threads/${thread}/messages?limit=200`)).items as { seq: number }[]).sort((a, b) => a.seq - b.seq);
    },
  };
  return world;
}
