// Chat while heavy list queries run: send → delivered p99 to 10 clients in one thread while other HTTP
// clients keep running a list with filter + sort + total count over a 100,000-row object, beside the
// same measure with nothing else running (quiet), in the same run. Goal: loaded p99 ≤ 2× quiet p99.
// On the embedded database first (PGlite, the default: in a worker thread, one connection for
// everything), then on PostgreSQL. The server runs in its own process, as deployed.
//
// Beside each, GET /healthz (no database) is timed quiet and loaded: if it stays fast while deliveries
// slow down, the event loop is free and the time goes in waiting for the database.
// BENCH_PGLITE_THREAD=main runs the embedded server with PGlite on its main thread (TB_PGLITE_THREAD).
//
// Seeding: the object is defined and published over HTTP; its rows are then inserted with one SQL
// statement (generate_series), as bench/records.bench.ts does. PGlite's data folder belongs to one process,
// so for the embedded run the server is stopped, the bench opens the folder, seeds it, and starts the
// server again.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql as kysql } from 'kysely';
import postgres from 'postgres';
import type { Socket } from 'socket.io-client';
import { openDatabase, type Database } from '../platform/src/db/open-database.ts';
import { call, closeSockets, login, openSocket, openSockets, timeDeliveries, unlimited, type Session } from './chat-clients.ts';
import { dealObject, freePort, median, percentile, printOutputs, report, round, startThreadbase, stopWithin, tearDown, type RunningServer } from './lib.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = 100_000;
const CLIENTS = 10;
const SAMPLES = 300;
const LOADERS = 3;
/** The loaded phase stops after this long even if it has fewer than SAMPLES messages (slow deliveries). */
const LOADED_MAX_MS = 60_000;
const HEALTH_SAMPLES = 200;
const PASSWORD = 'bench-password-1';
const schema = `bench${randomBytes(4).toString('hex')}`;
const data = `${schema}_wd_default`;

const deal = dealObject();
/** No index serves this sort (no list view asks for it): every call reads the won third of the table, twice. */
const filter = encodeURIComponent(JSON.stringify({ field: 'stage', op: 'eq', value: 'won' }));
const HEAVY_LIST = `/api/v1/objects/deal/records?filter=${filter}&sort=-amount,title&limit=50&count=true`;

/** The rows, in one statement; then statistics, as a deployment's autovacuum would have them. */
async function seed(db: Database, adminId: string): Promise<void> {
  await kysql`insert into ${kysql.table(`${data}.deal`)} (id, title, amount, stage, owner, created_by, updated_by)
    select gen_random_uuid(), 'Deal ' || g, (g % 10007)::numeric / 3, (array['new','won','lost'])[1 + g % 3], ${adminId}::uuid, ${adminId}::uuid, ${adminId}::uuid
    from generate_series(1, ${ROWS}) g`.execute(db.kysely);
  await kysql`analyze ${kysql.table(`${data}.deal`)}`.execute(db.kysely);
}

const servers: RunningServer[] = [];
const sockets: Socket[] = [];
const tempDirs: string[] = [];

function envFor(port: number, dataDir: string, databaseUrl?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '', TB_SCHEMA: schema, TB_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1',
    TB_LOG_LEVEL: 'error', TB_ADMIN_PASSWORD: PASSWORD, TB_DEMO: '0', ...unlimited, ...(databaseUrl && { DATABASE_URL: databaseUrl }),
    ...(!databaseUrl && process.env.BENCH_PGLITE_THREAD && { TB_PGLITE_THREAD: process.env.BENCH_PGLITE_THREAD }),
  };
}

async function start(env: Record<string, string>): Promise<RunningServer> {
  const server = await startThreadbase(env);
  servers.push(server);
  return server;
}

async function stopServer(server: RunningServer): Promise<void> {
  await stopWithin(server.child);
  servers.splice(servers.indexOf(server), 1);
}

async function publishDeal(session: Session): Promise<void> {
  await call(session, 'PUT', '/api/v1/meta/draft', { objects: [deal] });
  await call(session, 'POST', '/api/v1/meta/publish', {});
}

/** Sequential GET /healthz round trips, in ms. */
async function health(base: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < HEALTH_SAMPLES + 10; i++) {
    const t = performance.now();
    const res = await fetch(`${base}/healthz`);
    await res.arrayBuffer();
    if (i >= 10) times.push(performance.now() - t);
  }
  return times;
}

/** Quiet, then loaded: send → delivered to CLIENTS sockets, one message at a time. */
async function measure(server: RunningServer, dialect: string) {
  const session = await login(server.url, PASSWORD);
  const check = await call(session, 'GET', HEAVY_LIST);
  if (check.total !== Math.floor((ROWS + 2) / 3) || check.items.length !== 50) throw new Error(`the list does not see the seeded rows: total ${check.total}`);
  const thread = await call(session, 'POST', '/api/v1/threads', { title: 'under load' });
  const sender = await openSocket(server.url, session.token);
  const receivers = await openSockets(server.url, session.token, thread.id, CLIENTS);
  sockets.push(sender, ...receivers);
  const quiet = await timeDeliveries({ sender, receivers, threadId: thread.id, samples: SAMPLES, tag: `quiet-${dialect}` });
  const quietHealth = await health(server.url);

  let stopping = false;
  const listTimes: number[] = [];
  let warm = 0;
  let markWarm: () => void = () => {};
  const allWarm = new Promise<void>((resolve) => (markWarm = resolve));
  const loaders = Array.from({ length: LOADERS }, async () => {
    let first = true;
    while (!stopping) {
      const t = performance.now();
      const res = await fetch(`${server.url}${HEAVY_LIST}`, { headers: { authorization: `Bearer ${session.token}` } });
      if (res.status !== 200) throw new Error(`heavy list answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      listTimes.push(performance.now() - t);
      if (first && ++warm === LOADERS) markWarm();
      first = false;
    }
  });
  let loaded;
  let loadedHealth: number[];
  try {
    await Promise.race([allWarm, Promise.all(loaders)]);
    listTimes.length = 0;
    loaded = await timeDeliveries({ sender, receivers, threadId: thread.id, samples: SAMPLES, warmup: 5, maxMs: LOADED_MAX_MS, tag: `loaded-${dialect}` });
    loadedHealth = await health(server.url);
  } finally {
    stopping = true;
    await Promise.allSettled(loaders);
  }
  await Promise.all(loaders);
  closeSockets([sender, ...receivers]);
  return { quiet, loaded, quietHealth, loadedHealth, lists: listTimes.length, listP50: median(listTimes) };
}

function figures(dialect: string, r: Awaited<ReturnType<typeof measure>>): void {
  const [quiet99, loaded99] = [percentile(r.quiet.latencies, 99), percentile(r.loaded.latencies, 99)];
  const [quiet50, loaded50] = [percentile(r.quiet.latencies, 50), percentile(r.loaded.latencies, 50)];
  const load = `${LOADERS} loops of list (filter + sort + count, ${ROWS / 1000}k rows): ${r.lists} lists, p50 ${round(r.listP50, 1)} ms each`;
  report({
    id: `CHAT-LOAD-p99-${dialect}`, name: `send → delivered to ${CLIENTS} clients while heavy lists run, ${dialect} (p99 of ${r.loaded.messages} messages)`,
    value: round(loaded99, 2), unit: 'ms', baseline: { name: `same, nothing else running (p99 of ${r.quiet.messages} messages), same run`, value: round(quiet99, 2) },
    goal: `≤ 2× quiet p99; ratio ${round(loaded99 / quiet99, 2)}; ${load}`,
  });
  report({
    id: `CHAT-LOAD-p50-${dialect}`, name: `send → delivered to ${CLIENTS} clients while heavy lists run, ${dialect} (p50)`,
    value: round(loaded50, 2), unit: 'ms', baseline: { name: 'same, nothing else running (p50), same run', value: round(quiet50, 2) },
    goal: `reference; ratio ${round(loaded50 / quiet50, 2)}`,
  });
  const [health99, quietHealth99] = [percentile(r.loadedHealth, 99), percentile(r.quietHealth, 99)];
  report({
    id: `CHAT-LOAD-loop-${dialect}`, name: `GET /healthz (no database) while the same lists run, ${dialect} (p99 of ${HEALTH_SAMPLES}): is the event loop free?`,
    value: round(health99, 2), unit: 'ms', baseline: { name: 'same, nothing else running, same run', value: round(quietHealth99, 2) },
    goal: `reference; ratio ${round(health99 / quietHealth99, 2)}`,
  });
}

const pg = postgres(URL_PG, { max: 1, onnotice: () => {} });
try {
  // Embedded: first start, publish, stop; seed the folder; start again and measure.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-bench-load-'));
  tempDirs.push(dataDir);
  const env = envFor(await freePort(), dataDir);
  let server = await start(env);
  const session = await login(server.url, PASSWORD);
  await publishDeal(session);
  await stopServer(server);
  const db = await openDatabase({ kind: 'pglite', dataDir, thread: 'main' });
  try {
    await seed(db, session.userId);
  } finally {
    await db.close();
  }
  server = await start(env);
  figures('pglite', await measure(server, 'pglite'));
  await stopServer(server);

  // PostgreSQL: the same, seeded while the server runs.
  const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-bench-load-pg-'));
  tempDirs.push(pgDir);
  server = await start(envFor(await freePort(), pgDir, URL_PG));
  const pgSession = await login(server.url, PASSWORD);
  await publishDeal(pgSession);
  const pgDb = await openDatabase({ kind: 'postgres', url: URL_PG, max: 1 });
  try {
    await seed(pgDb, pgSession.userId);
  } finally {
    await pgDb.close();
  }
  figures('postgres', await measure(server, 'postgres'));
} catch (error) {
  printOutputs(servers);
  throw error;
} finally {
  closeSockets(sockets);
  await tearDown(servers, pg, schema, tempDirs);
}
