// B2: record create, get by id and list page over HTTP at concurrency 16 (server in its own process,
// PostgreSQL, 100,000 rows), beside the same statements sent through postgres.js directly (for a create:
// the record, its thread with its creator following and its first message, and both outbox events).
// Also issue E's figure: the same create with a before_save script, beside the create without one.
import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { cli, dealObject, dropSchemas, freePort, httpOk, report, round, stop, timeUntil } from './lib.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = 100_000;
const CONCURRENCY = 16;
const SECONDS = 5;
const schema = `bench${randomBytes(4).toString('hex')}`;
const data = `${schema}_wd_default`;
const system = `${schema}_ws_default`;

/** Runs `op` from 16 concurrent loops for a fixed time; answers operations per second. */
async function throughput(op: (i: number) => Promise<unknown>): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let i = worker; performance.now() < end; i += CONCURRENCY) {
        await op(i);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  PATH: process.env.PATH ?? '', DATABASE_URL: URL_PG, TB_SCHEMA: schema, PORT: String(port), HOST: '127.0.0.1', TB_LOG_LEVEL: 'error', TB_ADMIN_PASSWORD: 'bench-password-1', TB_DEMO: '0',
  // To see where the server's time goes: BENCH_SERVER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=prof" (see docs/records.md).
  ...(process.env.BENCH_SERVER_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS }),
};
const { child } = await timeUntil([cli, 'start'], env, () => httpOk(`${base}/readyz`));
const sql = postgres(URL_PG, { max: CONCURRENCY, onnotice: () => {} });

try {
  const login = await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password: 'bench-password-1' }) })).json();
  const headers = { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' };
  const deal = dealObject();
  for (const [method, path, body] of [['PUT', '/api/v1/meta/draft', { objects: [deal] }], ['POST', '/api/v1/meta/publish', {}]] as const) {
    const res = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  }
  const adminId = login.user.id as string;
  await sql.unsafe(`insert into "${data}"."deal" (id, title, amount, stage, owner, created_by, updated_by)
    select gen_random_uuid(), 'Deal ' || g, (g % 10000)::numeric / 3, (array['new','won','lost'])[1 + g % 3], $1, $1, $1
    from generate_series(1, ${ROWS}) g`, [adminId]);
  await sql.unsafe(`create index on "${data}"."deal" (stage, amount desc, id)`);
  await sql.unsafe(`analyze "${data}"."deal"`);
  const ids = (await sql.unsafe(`select id from "${data}"."deal" order by random() limit 5000`)).map((r) => r.id as string);
  const filter = encodeURIComponent(JSON.stringify({ field: 'stage', op: 'eq', value: 'won' }));

  const httpCreate = await throughput(async (i) => {
    const res = await fetch(`${base}/api/v1/objects/deal/records`, { method: 'POST', headers, body: JSON.stringify({ title: `New ${i}`, amount: '12.50', stage: 'new' }) });
    if (res.status !== 201) throw new Error(`create answered ${res.status}`);
    await res.arrayBuffer();
  });
  const rawCreate = await throughput((i) =>
    sql.begin(async (tx) => {
      const id = randomUUID();
      await tx.unsafe(`insert into "${data}"."deal" (id, title, amount, stage, created_by, updated_by, owner) values ($1, $2, $3, $4, $5, $5, $5)`, [id, `Raw ${i}`, '12.50', 'new', adminId]);
      const thread = randomUUID();
      await tx.unsafe(`insert into "${system}".threads (id, kind, object, record_id, created_by, last_seq, last_message_at) values ($1, 'record', 'deal', $2, $3, 1, now())`, [thread, id, adminId]);
      await tx.unsafe(`insert into "${system}".thread_members (thread_id, user_id, role) values ($1, $2, 'follower')`, [thread, adminId]);
      const message = randomUUID();
      await tx.unsafe(`insert into "${system}".messages (id, thread_id, seq, kind, author_id, payload) values ($1, $2, 1, 'system', $3, $4::text::jsonb)`, [message, thread, adminId, JSON.stringify({ event: 'record.created', recordId: id })]);
      for (const [type, aggregate, event, payload] of [['thread', thread, 'message.created', { threadId: thread, messageId: message, seq: 1 }], ['record', `deal:${id}`, 'record.created', { id }]] as const) {
        const seq = await tx.unsafe(`insert into "${system}".outbox_aggregates values ($1, $2, 1) on conflict (aggregate_type, aggregate_id) do update set seq = outbox_aggregates.seq + 1 returning seq`, [type, aggregate]);
        await tx.unsafe(`insert into "${system}".outbox_events (aggregate_type, aggregate_id, aggregate_seq, type, payload) values ($1, $2, $3, $4, $5::text::jsonb)`, [type, aggregate, seq[0]!.seq, event, JSON.stringify(payload)]);
      }
    }),
  );
  const httpGet = await throughput(async (i) => {
    const res = await fetch(`${base}/api/v1/objects/deal/records/${ids[i % ids.length]}`, { headers });
    if (res.status !== 200) throw new Error(`get answered ${res.status}`);
    await res.arrayBuffer();
  });
  const rawGet = await throughput((i) => sql.unsafe(`select * from "${data}"."deal" where id = $1`, [ids[i % ids.length]]));
  const listUrl = (count: boolean) => `${base}/api/v1/objects/deal/records?filter=${filter}&sort=-amount&limit=50${count ? '&count=true' : ''}`;
  const httpList = await throughput(async () => {
    const res = await fetch(listUrl(false), { headers });
    if (res.status !== 200) throw new Error(`list answered ${res.status}`);
    await res.arrayBuffer();
  });
  const rawList = await throughput(() => sql.unsafe(`select * from "${data}"."deal" where stage = $1 order by amount desc nulls first, id limit 51`, ['won']));
  const httpListCount = await throughput(async () => (await fetch(listUrl(true), { headers })).arrayBuffer());
  const rawListCount = await throughput(async () => {
    await sql.unsafe(`select * from "${data}"."deal" where stage = $1 order by amount desc nulls first, id limit 51`, ['won']);
    await sql.unsafe(`select count(*) from "${data}"."deal" where stage = $1`, ['won']);
  });

  // The same creates with a before_save script on the object: one sandbox run per create (issue E).
  const guard = `export default function () {
    if (ctx.object !== 'deal') return;
    if (Number(ctx.record.amount ?? 0) < 0) return { reject: 'The amount cannot be negative.' };
    return { set: { title: String(ctx.record.title).trim() } };
  }`;
  const withScript = { objects: [deal], scripts: [{ name: 'deal_guard', label: { en: 'Guard', 'zh-CN': '校验' }, kind: 'before_save', object: 'deal', source: guard }] };
  for (const [method, path, body] of [['PUT', '/api/v1/meta/draft', withScript], ['POST', '/api/v1/meta/publish', {}]] as const) {
    const res = await fetch(`${base}${path}`, { method, headers, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  }
  const httpCreateScripted = await throughput(async (i) => {
    const res = await fetch(`${base}/api/v1/objects/deal/records`, { method: 'POST', headers, body: JSON.stringify({ title: ` Scripted ${i} `, amount: '12.50', stage: 'new' }) });
    if (res.status !== 201) throw new Error(`scripted create answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  });

  // No database and no authentication: how fast this client and server exchange requests at all.
  const httpFloor = await throughput(async () => (await fetch(`${base}/healthz`)).arrayBuffer());

  const figure = (id: string, name: string, value: number, baseline: number, goal: string, baselineName = 'the same statements through postgres.js') =>
    report({ id, name, value: round(value, 0), unit: '/s', baseline: { name: baselineName, value: round(baseline, 0) }, goal: `${goal}; ratio ${round(value / baseline, 2)}` });
  figure('B2-create', 'record create over HTTP, concurrency 16, PostgreSQL', httpCreate, rawCreate, '≥ 0.5× and ≥ 2000/s');
  figure('B2-get', 'record get by id over HTTP', httpGet, rawGet, '≥ 0.6× and ≥ 8000/s');
  figure('B2-list', 'list page (filter + sort + 50 rows) over HTTP', httpList, rawList, '≥ 0.6× and ≥ 3000/s');
  figure('B2-list-count', 'list page with total count over HTTP', httpListCount, rawListCount, '≥ 0.6×');
  figure('E-before-save', 'record create over HTTP with a before_save script', httpCreateScripted, httpCreate, '≥ 0.7×', 'record create over HTTP without a script (B2-create)');
  figure('B2-http-floor', 'GET /healthz over HTTP (no database: the ceiling of this client and server)', httpFloor, rawGet, 'reference only', 'record get by id through postgres.js');
} finally {
  await stop(child);
  await dropSchemas(sql, schema);
  await sql.end();
}
