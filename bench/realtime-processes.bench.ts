// B6: send → delivered across two platform processes on one PostgreSQL, beside one process plus a raw
// NOTIFY round trip, all measured in the same run. Goal: at most 1 ms p50 over (one process + NOTIFY).
//
// What "across processes" means here: the sender's socket is on process A and all 50 receivers are on
// process B, so every sample crosses from one process to the other. (Half on A and half on B would mix
// local deliveries into the percentiles and hide half of the cost.) The same shape — one sending socket
// on A that is not counted, 50 receivers — is measured in three settings:
//   one:    A runs alone, receivers on A (the baseline, with the raw NOTIFY round trip);
//   across: B runs too, on the same DATABASE_URL and TB_SCHEMA, receivers on B;
//   local:  receivers on A while B runs (reference: what a second process costs a room whose sockets are
//           all on the sender's process — B hears the outbox NOTIFY, races A for the claim, may deliver).
// With 50 receivers the fan-out (50 × message:new; inbox:changed only to sockets outside the room) is most of the latency, and
// "across" hands it to B while A only writes: with a spare core it can come out faster than one process.
// So the hop itself is also measured with a single receiver (B6-hop).
// Which process delivers an event is a race: every process hears the outbox NOTIFY and tries to claim
// it (events/dispatcher.ts). In a trial run with the receiver on B, B won about 4 in 10 (counted with
// DEBUG=socket.io-postgres-adapter), and then its delivery to its own sockets makes no hop at all: the
// "across" figures mix both ways, as a two-process deployment does.
// The second process finds the schema migrated and the administrator seeded by A, as in
// platform/src/realtime/two-processes.test.ts: it is started once A is ready, with the same environment.
// Machine load drifts over a run, so the settings alternate: ROUNDS × (A alone, then A + B, B stopped),
// each block SAMPLES / ROUNDS messages, and each figure pools its blocks.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { Socket } from 'socket.io-client';
import { call, closeSockets, login, openSocket, openSockets, timeDeliveries, unlimited } from './chat-clients.ts';
import { freePort, median, percentile, printOutputs, report, round, startThreadbase, stopWithin, tearDown, type RunningServer } from './lib.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = 50;
const SAMPLES = 300;
const ROUNDS = 3;
/** Per round: SAMPLES NOTIFY round trips in all, like the deliveries. */
const NOTIFY_SAMPLES = SAMPLES / ROUNDS;
const PASSWORD = 'bench-password-1';
const schema = `bench${randomBytes(4).toString('hex')}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-bench-b6-'));

/** Times from NOTIFY sent on one connection to its payload heard by LISTEN on another, in ms. */
async function notifyRoundTrip(): Promise<number[]> {
  const listener = postgres(URL_PG, { max: 1, onnotice: () => {} });
  const notifier = postgres(URL_PG, { max: 1, onnotice: () => {} });
  const channel = `${schema}_rt`;
  try {
    let heard: ((payload: string) => void) | null = null;
    await listener.listen(channel, (payload) => heard?.(payload));
    await notifier`select 1`;
    const times: number[] = [];
    for (let i = 0; i < NOTIFY_SAMPLES + 20; i++) {
      const payload = String(i);
      const t = performance.now();
      await new Promise<void>((resolve) => {
        heard = (p) => p === payload && resolve();
        void notifier.notify(channel, payload);
      });
      if (i >= 20) times.push(performance.now() - t);
    }
    return times;
  } finally {
    await listener.end();
    await notifier.end();
  }
}

const servers: RunningServer[] = [];
const sockets: Socket[] = [];
const envFor = (port: number) => ({
  PATH: process.env.PATH ?? '', DATABASE_URL: URL_PG, TB_SCHEMA: schema, TB_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1',
  TB_LOG_LEVEL: 'error', TB_ADMIN_PASSWORD: PASSWORD, TB_DEMO: '0', ...unlimited,
});
const sql = postgres(URL_PG, { max: 1, onnotice: () => {} });
try {
  const a = await startThreadbase(envFor(await freePort()));
  servers.push(a);
  const session = await login(a.url, PASSWORD);
  const thread = await call(session, 'POST', '/api/v1/threads', { title: 'B6' });
  const sender = await openSocket(a.url, session.token);
  sockets.push(sender);
  const block = async (url: string, tag: string, clients: number, into: number[]) => {
    const receivers = await openSockets(url, session.token, thread.id, clients);
    sockets.push(...receivers);
    try {
      into.push(...(await timeDeliveries({ sender, receivers, threadId: thread.id, samples: SAMPLES / ROUNDS, tag })).latencies);
    } finally {
      closeSockets(receivers);
    }
  };
  const samples = { one: [] as number[], oneSingle: [] as number[], across: [] as number[], acrossSingle: [] as number[], local: [] as number[], notify: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    await block(a.url, `one${round}`, CLIENTS, samples.one);
    await block(a.url, `one-single${round}`, 1, samples.oneSingle);
    samples.notify.push(...(await notifyRoundTrip()));
    const b = await startThreadbase(envFor(await freePort()));
    servers.push(b);
    await block(b.url, `across${round}`, CLIENTS, samples.across);
    await block(b.url, `across-single${round}`, 1, samples.acrossSingle);
    await block(a.url, `local${round}`, CLIENTS, samples.local);
    await stopWithin(b.child);
    servers.splice(servers.indexOf(b), 1);
  }
  const p = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  const [one, oneSingle, across, acrossSingle, local] = [p(samples.one), p(samples.oneSingle), p(samples.across), p(samples.acrossSingle), p(samples.local)];
  const notify = median(samples.notify);

  const baseline = { name: 'one process (all on A, B not running) + raw NOTIFY round trip p50, same run', value: round(one.p50 + notify, 2) };
  report({
    id: 'B6-p50', name: `send on process A → delivered to ${CLIENTS} clients on process B, PostgreSQL (p50)`, value: round(across.p50, 2), unit: 'ms', baseline,
    goal: `≤ +1 ms over one process + NOTIFY (${round(one.p50, 2)} + ${round(notify, 2)} ms); difference ${round(across.p50 - one.p50 - notify, 2)} ms`,
  });
  report({
    id: 'B6-p99', name: `send on process A → delivered to ${CLIENTS} clients on process B (p99)`, value: round(across.p99, 2), unit: 'ms',
    baseline: { name: 'one process (all on A, B not running) p99 + raw NOTIFY p50, same run', value: round(one.p99 + notify, 2) },
    goal: `reference; difference ${round(across.p99 - one.p99 - notify, 2)} ms`,
  });
  report({
    id: 'B6-hop-p50', name: 'send on A → delivered to 1 client on B (p50): the hop without the fan-out', value: round(acrossSingle.p50, 2), unit: 'ms',
    baseline: { name: 'one process (1 client on A, B not running) + raw NOTIFY p50, same run', value: round(oneSingle.p50 + notify, 2) },
    goal: `≤ +1 ms; difference ${round(acrossSingle.p50 - oneSingle.p50 - notify, 2)} ms`,
  });
  report({
    id: 'B6-local-p50', name: `send on A → delivered to ${CLIENTS} clients on A while B runs (p50)`, value: round(local.p50, 2), unit: 'ms',
    baseline: { name: 'one process (B not running) p50, same run', value: round(one.p50, 2) }, goal: `reference; difference ${round(local.p50 - one.p50, 2)} ms`,
  });
  report({ id: 'B6-notify', name: 'raw PostgreSQL NOTIFY → LISTEN round trip, two postgres.js connections (p50)', value: round(notify, 2), unit: 'ms', baseline: { name: 'one process send → delivered p50', value: round(one.p50, 2) }, goal: 'reference' });
} catch (error) {
  printOutputs(servers);
  throw error;
} finally {
  closeSockets(sockets);
  await tearDown(servers, sql, schema, [dataDir]);
}
