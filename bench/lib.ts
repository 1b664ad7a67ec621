import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type postgres from 'postgres';
import { field, label, option } from '../platform/src/testing/meta-builders.ts';

export const root = path.resolve(import.meta.dirname, '..');
export const cli = path.join(root, 'platform/src/cli/main.ts');

/** One figure beside the baseline measured in the same run. Benchmarks print these as JSON lines. */
export type Figure = { id: string; name: string; value: number; unit: string; baseline: { name: string; value: number }; goal?: string };

export function report(figure: Figure): void {
  process.stdout.write(`BENCH ${JSON.stringify(figure)}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Milliseconds from spawning `node args` until `ready()` resolves true (polled every 5 ms). */
export async function timeUntil(args: string[], env: NodeJS.ProcessEnv, ready: (child: ChildProcess, output: () => string) => Promise<boolean>) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited early: ${output}`);
    if (await ready(child, () => output)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return { ms: performance.now() - started, child };
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).status === 200;
  } catch {
    return false;
  }
}

/** The value at percentile `p` (0–100) of `values`: the sample at that rank, not interpolated. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

export type RunningServer = { child: ChildProcess; url: string; output: () => string };

/**
 * Starts `threadbase start` with `env` (which sets PORT) and resolves once `/readyz` answers 200. A
 * process that exits first, or is not ready within `timeoutMs`, is killed and its output thrown.
 */
export async function startThreadbase(env: Record<string, string>, timeoutMs = 120_000): Promise<RunningServer> {
  const url = `http://127.0.0.1:${env.PORT}`;
  const child = spawn(process.execPath, [cli, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`threadbase start exited early:\n${output.slice(-4000)}`);
    if (performance.now() > deadline) {
      await stop(child);
      throw new Error(`threadbase start not ready after ${timeoutMs} ms:\n${output.slice(-4000)}`);
    }
    if (await httpOk(`${url}/readyz`)) return { child, url, output: () => output };
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `stop`, then SIGKILL if the process has not exited within `ms` (a bench must not hang on a stuck shutdown). */
export async function stopWithin(child: ChildProcess, ms = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      process.stderr.write(`process ${child.pid} did not stop within ${ms} ms: killed\n`);
      child.kill('SIGKILL');
      resolve();
    }, ms);
  });
  await Promise.race([stop(child), killed]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
}

/** The deal object the record benchmarks share: a title, an amount and a stage; `extra` fields after them. */
export const dealObject = (extra: Record<string, unknown>[] = [], more: Record<string, unknown> = {}) => ({
  name: 'deal',
  label: label('Deal'),
  pluralLabel: label('Deals'),
  recordName: 'title',
  fields: [field('title', 'text'), field('amount', 'decimal', { precision: 12, scale: 2 }), field('stage', 'single_select', { options: [option('new'), option('won'), option('lost')] }), ...extra],
  ...more,
});

/** Drops a benchmark's deployment schema and its workspaces' schemas (`<schema>_…`). */
export async function dropSchemas(sql: postgres.Sql, schema: string): Promise<void> {
  const schemas = await sql`select nspname from pg_namespace where nspname = ${schema} or nspname like ${`${schema}\\_%`}`;
  for (const { nspname } of schemas) await sql.unsafe(`drop schema "${nspname}" cascade`);
}

/** A benchmark's servers said this before it failed. */
export function printOutputs(servers: RunningServer[]): void {
  for (const s of servers) process.stderr.write(`${s.url} said:\n${s.output().slice(-4000)}\n`);
}

/** Stops a benchmark's servers, drops its schemas and removes its data folders. */
export async function tearDown(servers: RunningServer[], sql: postgres.Sql, schema: string, dirs: string[]): Promise<void> {
  await Promise.all(servers.map((s) => stopWithin(s.child)));
  await dropSchemas(sql, schema);
  await sql.end();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}
