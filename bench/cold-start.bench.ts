// B7: time from process spawn to a 200 from /readyz, beside the bare start of the database client.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { cli, dropSchemas, freePort, httpOk, median, report, root, round, stop, timeUntil } from './lib.ts';

const RUNS = 3;
const bare = path.join(import.meta.dirname, 'bare-start.ts');
const baseEnv = { PATH: process.env.PATH ?? '', TB_LOG_LEVEL: 'error', HOST: '127.0.0.1', TB_ADMIN_PASSWORD: 'bench-password-1' };

async function platformStart(env: Record<string, string>) {
  const port = await freePort();
  const { ms, child } = await timeUntil([cli, 'start'], { ...baseEnv, ...env, PORT: String(port) }, () => httpOk(`http://127.0.0.1:${port}/readyz`));
  await stop(child);
  return ms;
}

async function bareStart(kind: string, target: string) {
  const { ms, child } = await timeUntil([bare, kind, target], baseEnv, async (_c, out) => out().includes('ready'));
  await stop(child);
  return ms;
}

async function pglite(thread: 'worker' | 'main') {
  const fresh: number[] = [];
  const reopen: number[] = [];
  const bareFresh: number[] = [];
  const bareReopen: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-bench-'));
    const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-bench-bare-'));
    try {
      fresh.push(await platformStart({ TB_DATA_DIR: dir, TB_PGLITE_THREAD: thread }));
      reopen.push(await platformStart({ TB_DATA_DIR: dir, TB_PGLITE_THREAD: thread }));
      bareFresh.push(await bareStart('pglite', bareDir));
      bareReopen.push(await bareStart('pglite', bareDir));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(bareDir, { recursive: true, force: true });
    }
  }
  const suffix = thread === 'main' ? ' (PGlite on the main thread)' : '';
  report({ id: `B7-fresh-${thread}`, name: `cold start, fresh PGlite folder${suffix}`, value: round(median(fresh)), unit: 'ms', baseline: { name: 'bare PGlite create + select 1', value: round(median(bareFresh)) }, goal: '≤ 3000 ms' });
  report({ id: `B7-reopen-${thread}`, name: `cold start, reopened PGlite folder${suffix}`, value: round(median(reopen)), unit: 'ms', baseline: { name: 'bare PGlite reopen + select 1', value: round(median(bareReopen)) }, goal: '≤ 1000 ms' });
}

async function postgresStart(url: string) {
  const schema = `bench${randomBytes(4).toString('hex')}`;
  const first = await platformStart({ DATABASE_URL: url, TB_SCHEMA: schema });
  const restarts: number[] = [];
  const bares: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    restarts.push(await platformStart({ DATABASE_URL: url, TB_SCHEMA: schema }));
    bares.push(await bareStart('postgres', url));
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await dropSchemas(sql, schema);
  await sql.end();
  report({ id: 'B7-postgres', name: 'cold start on PostgreSQL (migrated database)', value: round(median(restarts)), unit: 'ms', baseline: { name: 'bare postgres.js connect + select 1', value: round(median(bares)) }, goal: '≤ 500 ms' });
  report({ id: 'B7-postgres-first', name: 'first start on an empty PostgreSQL (migrations + seed)', value: round(first), unit: 'ms', baseline: { name: 'bare postgres.js connect + select 1', value: round(median(bares)) } });
}

process.chdir(root);
await pglite('worker');
await pglite('main');
await postgresStart(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
