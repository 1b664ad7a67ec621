// B1: 50 clients in one thread. Send → delivered to all 50 (p50/p99 of every delivery), and persisted
// messages per second in that one thread, over socket.io with acks; beside a bare socket.io server that
// stores each message with one INSERT and emits it (bench/bare-socket-server.ts), in the same run.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import postgres from 'postgres';
import { io as connect, type Socket } from 'socket.io-client';
import { cli, dropSchemas, freePort, httpOk, report, round, stop, timeUntil } from './lib.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CLIENTS = 50;
const SAMPLES = 300;
const BURST = 2000;
const SENDERS = 16;
const schema = `bench${randomBytes(4).toString('hex')}`;

type Target = { url: string; auth: Record<string, string>; join: [string, unknown]; send: (clientId: string, body: string) => [string, unknown] };

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

async function open(target: Target): Promise<Socket> {
  const socket = connect(target.url, { auth: target.auth, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  socket.on('disconnect', (reason) => process.stderr.write(`${target.url} disconnected: ${reason}\n`));
  const joined = await socket.timeout(10_000).emitWithAck(target.join[0], target.join[1]);
  if (!joined?.ok) throw new Error(`join failed: ${JSON.stringify(joined)}`);
  return socket;
}

/** Latencies of every delivery to every client, one message at a time; then a burst from 16 senders. */
async function measure(target: Target) {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => open(target)));
  const waiting = new Map<string, { left: number; sentAt: number; done: () => void }>();
  const latencies: number[] = [];
  const seqsOfFirst: number[] = [];
  clients.forEach((socket, i) =>
    socket.on('message:new', (m: { clientId: string; seq?: number }) => {
      if (i === 0 && m.seq !== undefined && m.clientId.startsWith('burst-')) seqsOfFirst.push(m.seq);
      const w = waiting.get(m.clientId);
      if (!w) return;
      latencies.push(performance.now() - w.sentAt);
      if (--w.left === 0) w.done();
    }),
  );
  const sender = clients[0]!;
  for (let i = 0; i < SAMPLES + 20; i++) {
    const clientId = `lat-${i}`;
    await new Promise<void>((done) => {
      waiting.set(clientId, { left: CLIENTS, sentAt: performance.now(), done });
      const [event, payload] = target.send(clientId, `message ${i}`);
      sender.emit(event, payload, () => {});
    });
    waiting.delete(clientId);
    if (i === 19) latencies.length = 0;
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    clients.slice(0, SENDERS).map(async (socket) => {
      while (next < BURST) {
        const [event, payload] = target.send(`burst-${next++}`, 'burst');
        const answer = await socket.timeout(30_000).emitWithAck(event, payload);
        if (answer?.error) throw new Error(JSON.stringify(answer.error));
      }
    }),
  );
  const perSecond = BURST / ((performance.now() - started) / 1000);
  for (const c of clients) c.disconnect();
  const ordered = seqsOfFirst.every((s, i) => i === 0 || s > seqsOfFirst[i - 1]!);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond, ordered };
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// One user sending from 16 sockets at full speed is what the flood limits exist to stop: lifted here.
const unlimited = { TB_SOCKET_EVENTS_PER_SECOND: '1000000', TB_SOCKET_EVENTS_BURST: '1000000', TB_MESSAGES_PER_SECOND: '1000000', TB_MESSAGES_BURST: '1000000' };
const env = { PATH: process.env.PATH ?? '', DATABASE_URL: URL_PG, TB_SCHEMA: schema, PORT: String(port), HOST: '127.0.0.1', TB_LOG_LEVEL: 'error', TB_ADMIN_PASSWORD: 'bench-password-1', TB_DEMO: '0', ...unlimited };
const { child } = await timeUntil([cli, 'start'], env, () => httpOk(`${base}/readyz`));
let serverOutput = '';
child.stdout!.on('data', (d) => (serverOutput += d));
child.stderr!.on('data', (d) => (serverOutput += d));
const barePort = await freePort();
const bare = await timeUntil([path.join(import.meta.dirname, 'bare-socket-server.ts'), URL_PG, `${schema}_bare_messages`, String(barePort)], process.env, async (_, out) => out().includes('ready'));
const sql = postgres(URL_PG, { max: 1, onnotice: () => {} });
try {
  const login = await (await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password: 'bench-password-1' }) })).json();
  const thread = await (await fetch(`${base}/api/v1/threads`, { method: 'POST', headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'bench' }) })).json();
  const ours = await measure({ url: base, auth: { token: login.token }, join: ['thread:join', { threadId: thread.id }], send: (clientId, body) => ['message:send', { threadId: thread.id, clientId, body }] });
  const floor = await measure({ url: `http://127.0.0.1:${barePort}`, auth: {}, join: ['join', 'room'], send: (clientId, body) => ['send', { room: 'room', clientId, body }] });
  if (!ours.ordered) throw new Error('messages of the burst reached a client out of seq order');
  const baseline = 'bare socket.io emit + one INSERT, same run';
  report({ id: 'B1-p50', name: `send → delivered to all ${CLIENTS} clients in one thread, PostgreSQL (p50)`, value: round(ours.p50, 2), unit: 'ms', baseline: { name: baseline, value: round(floor.p50, 2) }, goal: `≤ 1.5× and ≤ 2.5 ms; ratio ${round(ours.p50 / floor.p50, 2)}` });
  report({ id: 'B1-p99', name: `send → delivered to all ${CLIENTS} clients (p99)`, value: round(ours.p99, 2), unit: 'ms', baseline: { name: baseline, value: round(floor.p99, 2) }, goal: `≤ 2× and ≤ 7 ms; ratio ${round(ours.p99 / floor.p99, 2)}` });
  report({ id: 'B1-rate', name: `persisted messages per second in one thread, ${SENDERS} senders, seq order kept`, value: round(ours.perSecond, 0), unit: '/s', baseline: { name: `${baseline} (unordered)`, value: round(floor.perSecond, 0) }, goal: `≥ 1000/s; ratio ${round(ours.perSecond / floor.perSecond, 2)}` });
} catch (error) {
  process.stderr.write(`server said:\n${serverOutput.slice(-4000)}\n`);
  throw error;
} finally {
  await stop(child);
  await stop(bare.child);
  await dropSchemas(sql, schema);
  await sql.unsafe(`drop table if exists ${schema}_bare_messages`);
  await sql.end();
}
