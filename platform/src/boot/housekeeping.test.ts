import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../access/access-fixture.ts';
import { inTransaction, systemCtx } from '../core/context.ts';
import { publishEvent } from '../events/index.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { sweep } from './housekeeping.ts';

let t: TestPlatform;
let admin: ApiClient;
beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0', TB_OUTBOX_RETENTION_DAYS: '7', TB_NOTIFICATION_RETENTION_DAYS: '30', TB_WEBHOOK_RETENTION_DAYS: '30' } });
  admin = await loginAs(t.app);
}, 60_000);
afterAll(() => t.close());

const ctx = () => systemCtx(t.platform, t.platform.workspaces.list()[0]!);
const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
const eventIds = async () => (await ctx().db.selectFrom('outbox_events').select('id').orderBy('id').execute()).map((e) => Number(e.id));

describe('housekeeping', () => {
  it('purges delivered events past the retention, keeping recent ones and those still owed or dead', async () => {
    ok(await admin.post('/api/v1/org/users', { login: 'sweeper', displayName: 'Sweeper', password: 'sweeper-password-1' }), 201);
    await t.platform.outbox.idle();
    const [owed, dead] = await inTransaction(ctx(), async (tx) => {
      // A type every consumer handles, so that each is written a delivery.
      const publish = (id: string) => publishEvent(tx, { aggregateType: 'sweep', aggregateId: id, type: 'message.created', payload: {} });
      const ids = [await publish('sweep.owed'), await publish('sweep.dead')];
      // Not due for a long while, so that the dispatcher leaves them as they are.
      await tx.db.updateTable('outbox_deliveries').set({ next_attempt_at: daysAgo(-1) }).where('event_id', 'in', ids).execute();
      return ids;
    });
    // Every consumer took it but one, which gave up on it.
    await ctx().db.updateTable('outbox_deliveries').set({ status: 'done' }).where('event_id', '=', dead!).execute();
    await ctx().db.updateTable('outbox_deliveries').set({ status: 'dead' }).where('event_id', '=', dead!).where('consumer', '=', 'search').execute();
    const delivered = (await eventIds()).filter((id) => id !== owed && id !== dead);
    expect(delivered.length).toBeGreaterThan(0);
    const recent = delivered.at(-1)!;
    await ctx().db.updateTable('outbox_events').set({ created_at: daysAgo(8) }).where('id', '!=', recent).execute();

    const [result] = await sweep(t.platform);
    expect(result).toMatchObject({ events: delivered.length - 1, notifications: 0, files: 0 });
    expect(await eventIds()).toEqual([recent, owed!, dead!].sort((a, b) => a - b));
    const orphans = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(`${ctx().workspace.schemas.system}.outbox_deliveries`)} d
      where not exists (select 1 from ${sql.table(`${ctx().workspace.schemas.system}.outbox_events`)} e where e.id = d.event_id)`.execute(ctx().db);
    expect(orphans.rows[0]!.n).toBe(0);
  });

  it('purges notifications read before the retention, never an unread one however old', async () => {
    const members = [];
    for (const login of ['nora', 'otto']) members.push(ok(await admin.post('/api/v1/org/users', { login, displayName: login, password: 'member-password-1' }), 201).id as string);
    const group = ok(await admin.post('/api/v1/threads', { kind: 'group', title: 'sweeping', memberIds: members }), 201).id as string;
    for (const body of ['一', '@nora 二']) ok(await admin.post(`/api/v1/threads/${group}/messages`, { clientId: body, body, mentions: body.startsWith('@') ? { users: [members[0]] } : undefined }), 201);
    await t.platform.outbox.idle();
    const all = await ctx().db.selectFrom('notifications').select(['id', 'user_id', 'kind']).where('thread_id', '=', group).orderBy('id').execute();
    expect(all.map((n) => n.kind).sort()).toEqual(['mention', 'message', 'message']);
    const [readLongAgo, readLately] = all.filter((n) => n.kind === 'message');
    await ctx().db.updateTable('notifications').set({ read_at: daysAgo(31) }).where('id', '=', readLongAgo!.id).execute();
    await ctx().db.updateTable('notifications').set({ read_at: daysAgo(29) }).where('id', '=', readLately!.id).execute();
    await ctx().db.updateTable('notifications').set({ created_at: daysAgo(400) }).where('thread_id', '=', group).execute();

    expect((await sweep(t.platform))[0]).toMatchObject({ notifications: 1 });
    const left = await ctx().db.selectFrom('notifications').select('id').where('thread_id', '=', group).orderBy('id').execute();
    expect(left.map((n) => n.id)).toEqual(all.filter((n) => n.id !== readLongAgo!.id).map((n) => n.id));
  });

  it('purges finished webhook deliveries and their events past the retention, never one still owed', async () => {
    const uuid = () => crypto.randomUUID();
    const subscription = uuid();
    await ctx().db.insertInto('webhook_subscriptions').values({ id: subscription, name: 'erp', description: null, url: 'https://erp.example.com/hook', events: JSON.stringify(['record.created']), objects: '[]', flows: '[]', active: true, secret: 'whsec_x', retry_attempts: 3, backoff_seconds: 10, timeout_seconds: 10, created_by: null, updated_at: new Date() } as never).execute();
    const delivery = async (status: 'delivered' | 'failed' | 'pending', finishedDaysAgo: number | null) => {
      const event = uuid();
      await ctx().db.insertInto('webhook_events').values({ id: event, type: 'record.created', payload: '{}', created_at: daysAgo(40) } as never).execute();
      const id = uuid();
      await ctx().db.insertInto('webhook_deliveries').values({ id, subscription_id: subscription, event_id: event, status, finished_at: finishedDaysAgo === null ? null : daysAgo(finishedDaysAgo), created_at: daysAgo(40) } as never).execute();
      return { id, event };
    };
    const old = await delivery('delivered', 31);
    const oldFailure = await delivery('failed', 35);
    const recent = await delivery('delivered', 2);
    const owed = await delivery('pending', null);

    expect((await sweep(t.platform))[0]).toMatchObject({ webhooks: 4 });
    const deliveries = (await ctx().db.selectFrom('webhook_deliveries').select('id').execute()).map((d) => d.id).sort();
    expect(deliveries).toEqual([recent.id, owed.id].sort());
    const events = (await ctx().db.selectFrom('webhook_events').select('id').execute()).map((e) => e.id).sort();
    expect(events).toEqual([recent.event, owed.event].sort());
    expect(events).not.toContain(old.event);
    expect(events).not.toContain(oldFailure.event);
  });
});
