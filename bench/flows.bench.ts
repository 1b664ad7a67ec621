// B5: a record update starts a flow whose approval posts a card in the record's thread; the approver
// approves; the outcome message arrives. End to end as the approver's socket sees it (p50), and flows per
// second at concurrency 16, on PostgreSQL. Beside the sum of three floors measured in the same run: a job
// sent → picked up by a bare pg-boss worker (NOTIFY), one message through a bare socket.io server that
// INSERTs it (B1's floor), and one bare QuickJS context with a tiny eval (B4's floor).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { PgBoss } from 'pg-boss';
import postgres from 'postgres';
import { newQuickJSWASMModuleFromVariant, RELEASE_SYNC } from 'quickjs-emscripten';
import { io as connect, type Socket } from 'socket.io-client';
import { call, login, openSocket, unlimited, type Session } from './chat-clients.ts';
import { dropSchemas, freePort, median, percentile, printOutputs, report, round, startThreadbase, stopWithin } from './lib.ts';
import { field, label, objectDef } from '../platform/src/testing/meta-builders.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SAMPLES = Number(process.env.BENCH_B5_SAMPLES ?? 200);
const WARMUP = 20;
const CONCURRENCY = 16;
const SECONDS = 10;
const RECORDS = WARMUP + SAMPLES + 4000;
const PASSWORD = 'bench-password-1';
const schema = `bench${randomBytes(4).toString('hex')}`;

/** ms from pg-boss `send` to the worker's handler, NOTIFY on (the engine's queue settings), p50. */
async function jobFloor(): Promise<number> {
  const boss = new PgBoss({ connectionString: URL_PG, schema: `${schema}_floor`, useListenNotify: true, schedule: false, max: 3 });
  await boss.start();
  try {
    await boss.createQueue('floor', { notify: true });
    const waiting = new Map<string, () => void>();
    await boss.work<{ n: string }>('floor', { batchSize: 2, burstWhenBatchFull: true, perJobResults: true }, async (jobs) =>
      jobs.map((job) => {
        waiting.get(job.data.n)?.();
        return { id: job.id, status: 'completed' as const };
      }),
    );
    const times: number[] = [];
    for (let i = 0; i < SAMPLES + WARMUP; i++) {
      const t = performance.now();
      await new Promise<void>((resolve) => {
        waiting.set(String(i), resolve);
        void boss.send('floor', { n: String(i) });
      });
      if (i >= WARMUP) times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    await boss.stop({ graceful: false });
  }
}

/** ms from emitting a message to its `message:new` through bench/bare-socket-server.ts (INSERT + emit), one receiver, p50. */
async function messageFloor(): Promise<number> {
  const port = await freePort();
  const table = `${schema}_bare_messages`;
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'bare-socket-server.ts'), URL_PG, table, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const socket = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false });
  try {
    await socket.timeout(10_000).emitWithAck('join', 'room');
    const times: number[] = [];
    for (let i = 0; i < SAMPLES + WARMUP; i++) {
      const clientId = `floor-${i}`;
      const t = performance.now();
      await new Promise<void>((resolve) => {
        const heard = (m: { clientId: string }) => {
          if (m.clientId !== clientId) return;
          socket.off('message:new', heard);
          resolve();
        };
        socket.on('message:new', heard);
        socket.emit('send', { room: 'room', clientId, body: `message ${i}` }, () => {});
      });
      if (i >= WARMUP) times.push(performance.now() - t);
    }
    return median(times);
  } finally {
    socket.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** ms for a bare QuickJS context, a tiny eval and its disposal, p50. */
async function scriptFloor(): Promise<number> {
  const module = await newQuickJSWASMModuleFromVariant(RELEASE_SYNC);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES + WARMUP; i++) {
    const t = performance.now();
    const context = module.newContext();
    context.evalCode(`({ outcome: ${i} % 2 ? 'approved' : 'rejected' })`).dispose();
    context.dispose();
    if (i >= WARMUP) times.push(performance.now() - t);
  }
  return median(times);
}

type Message = { threadId: string; payload?: { event?: string; approvalId?: string } | null };

/** Waits for the next `message:new` in `threadId` whose payload says `event`. */
function heard(socket: Socket, threadId: string, event: string, timeoutMs = 30_000): Promise<Message> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message:new', on);
      reject(new Error(`no ${event} in ${threadId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: Message) => {
      if (m.threadId !== threadId || m.payload?.event !== event) return;
      clearTimeout(timer);
      socket.off('message:new', on);
      resolve(m);
    };
    socket.on('message:new', on);
  });
}

/**
 * Waits until the outbox's consumers (search indexing above all) have caught up with the records made for
 * the bench: their backlog would otherwise share the CPU with the flows measured.
 */
async function outboxDrained(sql: postgres.Sql, workspaceSchema: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const [row] = await sql`select count(*)::int as pending from ${sql(workspaceSchema)}.outbox_deliveries where status = 'pending'`;
    if (row!.pending === 0) return;
    if (Date.now() > deadline) throw new Error(`the outbox still had ${row!.pending} deliveries pending after 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Where each flow's time went: update answered, card heard, approval answered, outcome heard (ms each). */
const segments: number[][] = [];

/** One flow end to end: update the record, hear the card, approve from it, hear the outcome. Answers ms. */
async function oneFlow(admin: Session, approver: Session, socket: Socket, record: { id: string; threadId: string }, amount: number): Promise<number> {
  const joined = await socket.timeout(10_000).emitWithAck('thread:join', { threadId: record.threadId });
  if (!joined?.ok) throw new Error(`join failed: ${JSON.stringify(joined)}`);
  const card = heard(socket, record.threadId, 'approval.card');
  const t = performance.now();
  await call(admin, 'PATCH', `/api/v1/objects/purchase/records/${record.id}`, { amount, version: 1 });
  const updated = performance.now();
  const { payload } = await card;
  const carded = performance.now();
  const outcome = heard(socket, record.threadId, 'approval.outcome');
  await call(approver, 'POST', `/api/v1/approvals/${payload!.approvalId}/actions`, { action: 'approve' });
  const approved = performance.now();
  await outcome;
  const ms = performance.now() - t;
  segments.push([updated - t, carded - updated, approved - carded, t + ms - approved]);
  await socket.timeout(10_000).emitWithAck('thread:leave', { threadId: record.threadId });
  return ms;
}

const floors = { job: await jobFloor(), message: await messageFloor(), script: await scriptFloor() };
const floorSum = floors.job + floors.message + floors.script;

const port = await freePort();
const server = await startThreadbase({ PATH: process.env.PATH ?? '', DATABASE_URL: URL_PG, TB_SCHEMA: schema, PORT: String(port), HOST: '127.0.0.1', TB_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error', TB_ADMIN_PASSWORD: PASSWORD, TB_DEMO: '0', ...unlimited, ...(process.env.BENCH_SERVER_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS }) });
const sql = postgres(URL_PG, { max: 2, onnotice: () => {} });
try {
  const admin = await login(server.url, PASSWORD);
  const approverId = (await call(admin, 'POST', '/api/v1/org/users', { login: 'approver', displayName: 'Approver', password: PASSWORD })).id as string;
  const approver = await login(server.url, PASSWORD, 'approver');
  const purchase = objectDef('purchase', 'title', [field('title', 'text', { required: true }), field('amount', 'integer')]);
  const flow = {
    name: 'purchase_approval',
    label: label('Purchase approval'),
    trigger: { type: 'record', object: 'purchase', events: ['updated'], fields: ['amount'] },
    nodes: [
      { id: 'start', type: 'start', data: {} },
      { id: 'approve', type: 'approval', data: { levels: [{ id: 'manager', approvers: [{ kind: 'users', users: [approverId] }] }], summaryFields: ['amount'] } },
      { id: 'end', type: 'end', data: {} },
    ],
    edges: [
      { id: 'e1', source: 'start', target: 'approve' },
      { id: 'e2', source: 'approve', target: 'end' },
    ],
  };
  await call(admin, 'PUT', '/api/v1/meta/draft', { objects: [purchase], flows: [flow] });
  await call(admin, 'POST', '/api/v1/meta/publish');
  const ids: string[] = [];
  for (let i = 0; i < RECORDS; i += 500) {
    const made = await call(admin, 'POST', '/api/v1/objects/purchase/records/bulk', { create: Array.from({ length: Math.min(500, RECORDS - i) }, (_, j) => ({ title: `PO ${i + j}`, amount: 100 })) });
    ids.push(...made.created.map((r: { id: string }) => r.id));
  }
  const records = await Promise.all(ids.map(async (id) => ({ id, threadId: (await call(admin, 'GET', `/api/v1/objects/purchase/records/${id}/thread`)).id as string })));

  await outboxDrained(sql, `${schema}_ws_default`);

  const socket = await openSocket(server.url, approver.token);
  const latencies: number[] = [];
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const ms = await oneFlow(admin, approver, socket, records[i]!, 200 + i);
    if (i >= WARMUP) latencies.push(ms);
  }
  socket.close();

  const sockets = await Promise.all(Array.from({ length: CONCURRENCY }, () => openSocket(server.url, approver.token)));
  let next = WARMUP + SAMPLES;
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    sockets.map(async (s) => {
      while (performance.now() < end && next < records.length) {
        await oneFlow(admin, approver, s, records[next++]!, 5000);
        done++;
      }
    }),
  );
  for (const s of sockets) s.close();

  const p50 = median(latencies);
  const parts = ['update', 'card', 'approve', 'outcome'].map((name, i) => `${name} ${round(median(segments.slice(WARMUP, WARMUP + SAMPLES).map((s) => s[i]!)), 2)}`);
  process.stderr.write(`B5 p50 per part (ms): ${parts.join(', ')}\n`);
  report({
    id: 'B5',
    name: 'record update → approval card in the thread → approve → outcome message, end to end (p50), PostgreSQL',
    value: round(p50, 2),
    unit: 'ms',
    baseline: { name: `sum of floors: job send→pickup ${round(floors.job, 2)} + bare socket.io message with INSERT ${round(floors.message, 2)} + bare QuickJS run ${round(floors.script, 3)} (p50s)`, value: round(floorSum, 2) },
    goal: `≤ 1.5× and ≤ 20 ms; ratio ${round(p50 / floorSum, 2)}; p99 ${round(percentile(latencies, 99), 2)} ms`,
  });
  report({
    id: 'B5-throughput',
    name: `approval flows completed per second, ${CONCURRENCY} at once`,
    value: round(done / SECONDS, 0),
    unit: '/s',
    baseline: { name: 'flows one at a time (1000 / p50)', value: round(1000 / p50, 0) },
    goal: '≥ 300/s',
  });
} catch (error) {
  printOutputs([server]);
  const admin = await login(server.url, PASSWORD);
  process.stderr.write(`${JSON.stringify(await call(admin, 'GET', '/api/v1/flows/purchase_approval/runs?limit=3'))}\n`);
  throw error;
} finally {
  await stopWithin(server.child);
  await dropSchemas(sql, schema);
  await sql.end();
}
