// F2: time-based flow triggers at scale, on PostgreSQL and on PGlite. 100,000 records with an
// inactivity trigger: planning them at publish (background batches) beside one INSERT … SELECT of the
// same timers; all 100,000 falling due at the same moment, fired by the platform's own timer loop,
// beside one INSERT … SELECT of the same runs and steps (goal: every one within 60 s of its time); the
// look at the due-time index each process makes every second, beside `select 1`; and a person's
// message in a record thread with the trigger armed, beside the same message before the flow existed.
// A run's start time is its firing transaction's; the last one is also read by polling the run count.
// BENCH_DIALECT=postgres|pglite runs one database only; BENCH_TIMER_RECORDS changes the 100,000.
import { sql } from 'kysely';
import { systemCtx } from '../platform/src/core/context.ts';
import { anyDue } from '../platform/src/flows/timers.ts';
import { loginAs, startTestPlatform } from '../platform/src/testing/index.ts';
import { field, label, objectDef } from '../platform/src/testing/meta-builders.ts';
import { median, percentile, report, round } from './lib.ts';

const RECORDS = Number(process.env.BENCH_TIMER_RECORDS ?? 100_000);
const SENDS = 200;
const PROBES = 500;
/** When every timer falls due, after the bench sets it: long enough to be waiting before it comes. */
const DUE_IN_MS = 5000;
const FIRE_DEADLINE_MS = 15 * 60_000;

const lead = objectDef('lead', 'title', [field('title', 'text', { required: true })]);
const nudge = {
  name: 'nudge',
  label: label('Nudge'),
  trigger: { type: 'inactivity', object: 'lead', amount: 1, unit: 'hours' },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [{ id: 'a', source: 'start', target: 'end' }],
};

async function measure(dialect: 'postgres' | 'pglite') {
  if (dialect === 'postgres') process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  else delete process.env.DATABASE_URL;
  // Sends are timed back to back: the per-person message rate would refuse them.
  const t = await startTestPlatform({ env: { TB_DEMO: '0', TB_MESSAGES_PER_SECOND: '1000000', TB_MESSAGES_BURST: '1000000' } });
  try {
    const admin = await loginAs(t.app);
    const workspace = t.platform.workspaces.list()[0]!;
    const ctx = systemCtx(t.platform, workspace);
    const db = t.platform.db.kysely;
    const data = sql.table(`${workspace.schemas.data}.lead`);
    const system = (n: string) => sql.table(`${workspace.schemas.system}.${n}`);
    const publish = async (flows: unknown[]) => {
      await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [lead], flows } });
      const res = await admin.post('/api/v1/meta/publish');
      if (res.status !== 200) throw new Error(`publish answered ${res.status}: ${JSON.stringify(res.body)}`);
    };
    await publish([]);
    // Each record as the records API leaves it: its row, its thread, and the thread's first message.
    await sql`insert into ${data} (id, title, updated_at) select gen_random_uuid(), 'Lead ' || g, now() - interval '10 minutes' from generate_series(1, ${RECORDS}) g`.execute(db);
    await sql`insert into ${system('threads')} (id, kind, object, record_id, last_seq, last_message_at) select gen_random_uuid(), 'record', 'lead', id, 1, now() from ${data}`.execute(db);
    await sql`insert into ${system('messages')} (id, thread_id, seq, kind, payload) select gen_random_uuid(), id, 1, 'system', '{"event":"record.created"}' from ${system('threads')} where object = 'lead'`.execute(db);
    for (const table of [data, system('threads'), system('messages')]) await sql`analyze ${table}`.execute(db);

    // A person's message in a record thread, with no flow on the object yet.
    const record = (await admin.post('/api/v1/objects/lead/records', { title: 'Talked about' })).body.id as string;
    const thread = (await admin.get(`/api/v1/objects/lead/records/${record}/thread`)).body.id as string;
    const sendTimes = async (prefix: string) => {
      const times: number[] = [];
      for (let i = 0; i < SENDS; i++) {
        const start = performance.now();
        const res = await admin.post(`/api/v1/threads/${thread}/messages`, { body: `${prefix} ${i}`, clientId: `${prefix}-${i}` });
        if (res.status !== 201) throw new Error(`send answered ${res.status}`);
        times.push(performance.now() - start);
      }
      return median(times);
    };
    const sendBefore = await sendTimes('before');

    // Planning: the publish returns at once; the records are planned by background jobs.
    const planStart = performance.now();
    await publish([nudge]);
    for (;;) {
      const plan = await ctx.db.selectFrom('flow_timer_plans').select('done').where('flow', '=', 'nudge').executeTakeFirst();
      if (plan?.done) break;
      if (performance.now() - planStart > FIRE_DEADLINE_MS) throw new Error('planning did not finish');
      await new Promise((r) => setTimeout(r, 50));
    }
    const planMs = performance.now() - planStart;
    const planned = Number((await sql<{ n: number }>`select count(*)::int as n from ${system('flow_timers')} where flow = 'nudge'`.execute(db)).rows[0]!.n);
    if (planned < RECORDS) throw new Error(`only ${planned} timers planned`);
    await sql`create table ${system('bench_timers')} (like ${system('flow_timers')} including all)`.execute(db);
    const rawPlanStart = performance.now();
    await sql`insert into ${system('bench_timers')} (flow, record_id, kind, object, plan, due_at, activity_at)
      select 'nudge', id, 'inactivity', 'lead', 'x', updated_at + interval '1 hour', updated_at from ${data}`.execute(db);
    const rawPlanMs = performance.now() - rawPlanStart;

    const sendArmed = await sendTimes('armed');

    // The look every process takes each second, with 100,000 timers and none due.
    const probe = async (query: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < PROBES; i++) {
        const start = performance.now();
        await query();
        times.push(performance.now() - start);
      }
      return median(times);
    };
    const probeMs = await probe(() => anyDue(ctx, new Date()));
    const selectOneMs = await probe(() => sql`select 1`.execute(db));

    // Firing: every timer falls due at the same moment, as after a bulk import an hour ago.
    const due = new Date(Date.now() + DUE_IN_MS);
    await sql`update ${system('flow_timers')} set due_at = ${due}, activity_at = ${new Date(due.getTime() - 3_600_000)} where flow = 'nudge'`.execute(db);
    await sql`delete from ${system('messages')} where thread_id = ${thread} and kind = 'user'`.execute(db);
    let allFiredAt = 0;
    for (;;) {
      const n = Number((await sql<{ n: number }>`select count(*)::int as n from ${system('flow_runs')} where flow = 'nudge'`.execute(db)).rows[0]!.n);
      if (n >= planned) {
        allFiredAt = Date.now();
        break;
      }
      if (Date.now() - due.getTime() > FIRE_DEADLINE_MS) throw new Error(`only ${n} of ${planned} fired`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const lags = (await sql<{ ms: number }>`select extract(epoch from started_at - ${due}) * 1000 as ms from ${system('flow_runs')} where flow = 'nudge'`.execute(db)).rows.map((r) => Number(r.ms));
    const lastMs = allFiredAt - due.getTime();
    const rawRunsStart = performance.now();
    await sql`create table ${system('bench_runs')} (like ${system('flow_runs')} including all)`.execute(db);
    await sql`create table ${system('bench_steps')} (like ${system('flow_steps')} including all)`.execute(db);
    await sql`with runs as (
        insert into ${system('bench_runs')} (id, flow, meta_version, definition, status, object, record_id, trigger)
        select gen_random_uuid(), 'nudge', 1, ${JSON.stringify(nudge)}::jsonb, 'running', 'lead', record_id, jsonb_build_object('kind', 'inactivity') from ${system('bench_timers')}
        returning id)
      insert into ${system('bench_steps')} (id, run_id, node_id, seq, status) select gen_random_uuid(), id, 'start', 1, 'queued' from runs`.execute(db);
    const rawRunsMs = performance.now() - rawRunsStart;

    const tag = dialect === 'postgres' ? 'PostgreSQL' : 'PGlite';
    report({ id: `F2-plan-${dialect}`, name: `planning ${RECORDS} records' inactivity timers at publish (background batches), ${tag}`, value: round(planMs / 1000, 2), unit: 's', baseline: { name: 'one INSERT … SELECT of the same timers', value: round(rawPlanMs / 1000, 2) }, goal: 'in the background, not in the publish transaction' });
    report({ id: `F2-fire-last-${dialect}`, name: `${RECORDS} inactivity timers due at once: the last run started after its time, ${tag}`, value: round(lastMs / 1000, 1), unit: 's', baseline: { name: 'one INSERT … SELECT of the same runs and first steps', value: round(rawRunsMs / 1000, 1) }, goal: '≤ 60 s' });
    report({ id: `F2-fire-p50-${dialect}`, name: `the same: median start of a run after its time, ${tag}`, value: round(percentile(lags, 50) / 1000, 1), unit: 's', baseline: { name: 'one INSERT … SELECT of the same runs and first steps', value: round(rawRunsMs / 1000, 1) }, goal: '≤ 60 s' });
    report({ id: `F2-probe-${dialect}`, name: `the per-second look for due timers with ${RECORDS} planned and none due, ${tag}`, value: round(probeMs, 3), unit: 'ms', baseline: { name: 'select 1', value: round(selectOneMs, 3) }, goal: 'reads the due-time index only' });
    report({ id: `F2-send-${dialect}`, name: `a person's message in a record thread with an inactivity trigger armed (median of ${SENDS}), ${tag}`, value: round(sendArmed, 2), unit: 'ms', baseline: { name: 'the same message before the flow existed', value: round(sendBefore, 2) } });
  } finally {
    await t.close();
  }
}

const only = process.env.BENCH_DIALECT;
for (const dialect of ['postgres', 'pglite'] as const) if (!only || only === dialect) await measure(dialect);
process.exit(0);
