// Where embedded PGlite should run: per-query cost and event-loop stall, worker thread vs main thread,
// beside bare PGlite called directly (the cost floor) and a PostgreSQL server (a loop that never stalls).
import { PGlite } from '@electric-sql/pglite';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../platform/src/db/open-database.ts';
import { median, report, round } from './lib.ts';

const QUERIES = 2000;
const HEAVY_SQL = 'select count(*) from generate_series(1, 3000000) g where g % 7 = 0';
const HEAVY = sql.raw(HEAVY_SQL);

async function perQuery(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const t = performance.now();
    await run();
    samples.push((performance.now() - t) * 1000);
  }
  return median(samples);
}

/** The longest gap between turns of a 1 ms interval while the heavy query runs, in ms. */
async function stall(run: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  await run();
  worst = Math.max(worst, performance.now() - last);
  clearInterval(timer);
  return worst;
}

const direct = await PGlite.create();
const directSelect = await perQuery(() => direct.query('select 1'));
const directStall = await stall(() => direct.query(HEAVY_SQL));
await direct.close();

const results: Record<string, { select: number; stall: number }> = {};
for (const thread of ['main', 'worker'] as const) {
  const db = await openDatabase({ kind: 'pglite-memory', thread });
  const k: Kysely<any> = db.kysely;
  results[thread] = { select: await perQuery(() => sql`select 1`.execute(k)), stall: await stall(() => HEAVY.execute(k)) };
  await db.close();
}

const pg = await openDatabase({ kind: 'postgres', url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 2 });
const pgStall = await stall(() => HEAVY.execute(pg.kysely));
await pg.close();

report({ id: 'PGL-query-worker', name: 'Kysely select 1 on PGlite in a worker thread (median)', value: round(results.worker!.select), unit: 'µs', baseline: { name: 'bare PGlite query on the main thread', value: round(directSelect) } });
report({ id: 'PGL-query-main', name: 'Kysely select 1 on PGlite on the main thread (median)', value: round(results.main!.select), unit: 'µs', baseline: { name: 'bare PGlite query on the main thread', value: round(directSelect) } });
report({ id: 'PGL-stall-worker', name: 'event-loop stall during a 3M-row scan, PGlite in a worker', value: round(results.worker!.stall), unit: 'ms', baseline: { name: 'same scan on a PostgreSQL server', value: round(pgStall) } });
report({ id: 'PGL-stall-main', name: 'event-loop stall during a 3M-row scan, PGlite on the main thread', value: round(results.main!.stall), unit: 'ms', baseline: { name: 'bare PGlite on the main thread', value: round(directStall) } });
