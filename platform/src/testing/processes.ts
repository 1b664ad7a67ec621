import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../db/open-database.ts';
import { testConfig } from './test-platform.ts';

// Real `threadbase` processes for tests that start, stop and kill them.
export const cliMain = path.resolve(import.meta.dirname, '../cli/main.ts');
const children = new Set<ChildProcess>();

/** Environment of one isolated deployment: its own data folder, or its own schemas on the test server. */
export function deployment() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-cli-'));
  const schema = testConfig().schema;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', TB_DATA_DIR: dataDir, TB_SCHEMA: schema, TB_LOG_LEVEL: 'error', PORT: '0', HOST: '127.0.0.1', TB_DEMO: '0' };
  if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
  return {
    env,
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (!process.env.DATABASE_URL) return;
      const db = await openDatabase({ kind: 'postgres', url: process.env.DATABASE_URL, max: 1 });
      const schemas = await sql<{ n: string }>`select nspname as n from pg_namespace where nspname = ${schema} or nspname like ${`${schema}\\_%`}`.execute(db.kysely);
      for (const { n } of schemas.rows) await sql`drop schema ${sql.id(n)} cascade`.execute(db.kysely);
      await db.close();
    },
  };
}

export function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `threadbase start` and resolves with its URL once it prints it. */
export function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; stdout: () => string }> {
  const child = spawn(process.execPath, [cliMain, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const url = /Employee app:\s+(http:\/\/\S+)\//.exec(out)?.[1];
      if (url) resolve({ child, url, stdout: () => out });
    });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

export function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}


/** Remembers a process started by hand so `killAll` ends it with the test file. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  return child;
}

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((c) => stop(c, 'SIGKILL')));
}

/** One JSON call to a server started by `startServer`, as a bearer token or anonymously. */
export async function callServer(url: string, token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}
