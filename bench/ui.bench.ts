// B8: the employee app's production build and its first record page. Sizes: the JavaScript a first visit
// loads before any route's own code (the entry script and what index.html preloads), gzipped, beside an
// empty Vite + Vue app built in the same run with the same Vite. Speed: a record page with its thread opened
// in a fresh Chromium context (cold cache) against a server on PostgreSQL, from navigation start until the
// record's title, its thread's messages, the live mark and an enabled composer are all on screen (the page's
// own performance.now(), read by a MutationObserver as they appear), beside the empty app's first render in
// the same browser.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import postgres from 'postgres';
import type { APIRequestContext, Browser } from 'playwright-core';
import { launchBrowser } from '../platform/src/testing/index.ts';
import { call, login, unlimited } from './chat-clients.ts';
import { dealObject, dropSchemas, freePort, median, printOutputs, report, root, round, startThreadbase, stopWithin } from './lib.ts';

const URL_PG = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SAMPLES = Number(process.env.BENCH_B8_SAMPLES ?? 7);
const MESSAGES = 200;
const PASSWORD = 'bench-password-1';
const schema = `bench${randomBytes(4).toString('hex')}`;
const vite = path.join(root, 'node_modules/.bin/vite');
const emptyApp = path.join(root, 'bench/results/empty-vue-app');

function build(dir: string): void {
  const run = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: dir, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`vite build in ${dir} failed:\n${run.stdout}\n${run.stderr}`);
}

/** The scripts a first visit runs before any lazy chunk: index.html's module entry and its modulepreloads. */
function initialJs(dist: string): { files: string[]; gzipBytes: number } {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"|<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => (m[1] ?? m[2])!);
  const gzipBytes = files.reduce((sum, file) => sum + zlib.gzipSync(fs.readFileSync(path.join(dist, file.replace(/^\/(designer\/)?/, '')))).length, 0);
  return { files, gzipBytes };
}

/** An app with Vue and nothing else, written fresh each run (bench/results is not kept in git). */
function writeEmptyApp(): void {
  fs.rmSync(emptyApp, { recursive: true, force: true });
  fs.mkdirSync(emptyApp, { recursive: true });
  fs.writeFileSync(path.join(emptyApp, 'index.html'), '<!doctype html><html><body><div id="app"></div><script type="module" src="/main.js"></script></body></html>\n');
  fs.writeFileSync(path.join(emptyApp, 'main.js'), "import { createApp, h } from 'vue';\ncreateApp({ render: () => h('h1', 'Hello') }).mount('#app');\n");
  fs.writeFileSync(path.join(emptyApp, 'vite.config.mjs'), "import vue from '@vitejs/plugin-vue';\nexport default { plugins: [vue()] };\n");
}

/** Serves a built app's files, index.html for everything else. */
function serveStatic(dist: string, port: number): http.Server {
  return http
    .createServer((req, res) => {
      const file = path.join(dist, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const found = file.startsWith(dist) && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(dist, 'index.html');
      res.writeHead(200, { 'content-type': found.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(fs.readFileSync(found));
    })
    .listen(port, '127.0.0.1');
}

/**
 * Milliseconds from navigation start until every one of `parts` holds in the page, and when each first
 * did, per a fresh browser context (nothing cached). They are checked on every DOM change, so the moments
 * are not rounded to a polling interval.
 */
async function timeToReady(browser: Browser, url: string, parts: Record<string, string>, before?: (request: APIRequestContext) => Promise<void>): Promise<{ ms: number; parts: Record<string, number> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  try {
    if (before) await before(context.request);
    const checks = Object.entries(parts).map(([name, check]) => `[${JSON.stringify(name)}, ${check}]`).join(', ');
    await context.addInitScript(`(() => {
      const parts = [${checks}];
      const marks = (window.__marks = {});
      const check = () => {
        for (const [name, holds] of parts) {
          try { if (marks[name] === undefined && holds()) marks[name] = performance.now(); } catch {}
        }
        if (parts.every(([name]) => marks[name] !== undefined)) { window.__readyAt = Math.max(...Object.values(marks)); observer.disconnect(); }
      };
      const observer = new MutationObserver(check);
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    })()`);
    const page = await context.newPage();
    // BENCH_B8_TRACE=1: each request's start and end (ms since the page was opened), to see where the time goes.
    if (process.env.BENCH_B8_TRACE) {
      const opened = performance.now();
      const at = () => Math.round(performance.now() - opened);
      page.on('request', (r) => process.stderr.write(`${at()} → ${r.method()} ${r.url().replace(/^https?:\/\/[^/]+/, '')}\n`));
      page.on('requestfinished', (r) => process.stderr.write(`${at()} ← ${r.url().replace(/^https?:\/\/[^/]+/, '')}\n`));
    }
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __readyAt?: number }).__readyAt !== undefined, null, { timeout: 30_000 });
    return await page.evaluate(() => ({ ms: (window as unknown as { __readyAt: number }).__readyAt, parts: (window as unknown as { __marks: Record<string, number> }).__marks }));
  } finally {
    await context.close();
  }
}

/** What "interactive" means for the record page: its title, its thread's messages, the live mark, a composer one can type in. */
const RECORD_READY = {
  title: "() => (document.querySelector('[data-test=record-title]')?.textContent ?? '').trim() !== ''",
  messages: "() => document.querySelectorAll('[data-test=message]').length > 0",
  live: "() => document.querySelector('[data-test=thread-live].live') !== null",
  composer: "() => { const c = document.querySelector('textarea[data-test=composer], [data-test=composer] textarea'); return !!c && !c.disabled; }",
};
const EMPTY_READY = { rendered: "() => document.querySelector('#app h1') !== null" };

build(path.join(root, 'runtime'));
writeEmptyApp();
build(emptyApp);
const ours = initialJs(path.join(root, 'runtime/dist'));
const empty = initialJs(path.join(emptyApp, 'dist'));
const kb = (bytes: number) => round(bytes / 1024, 1);
report({
  id: 'B8-initial-js',
  name: `employee app's initial JavaScript, gzipped (${ours.files.length} files: entry + modulepreloads)`,
  value: kb(ours.gzipBytes),
  unit: 'KB',
  baseline: { name: 'an empty Vite + Vue app built in the same run', value: kb(empty.gzipBytes) },
  goal: `≤ 200 KB and ≤ 2.5×; ratio ${round(ours.gzipBytes / empty.gzipBytes, 2)}`,
});

const port = await freePort();
const server = await startThreadbase({ PATH: process.env.PATH ?? '', DATABASE_URL: URL_PG, TB_SCHEMA: schema, PORT: String(port), HOST: '127.0.0.1', TB_LOG_LEVEL: 'error', TB_ADMIN_PASSWORD: PASSWORD, TB_DEMO: '0', ...unlimited });
const sql = postgres(URL_PG, { max: 1, onnotice: () => {} });
const staticPort = await freePort();
const staticServer = serveStatic(path.join(emptyApp, 'dist'), staticPort);
const browser = await launchBrowser();
try {
  const admin = await login(server.url, PASSWORD);
  await call(admin, 'PUT', '/api/v1/meta/draft', { objects: [dealObject()] });
  await call(admin, 'POST', '/api/v1/meta/publish');
  const deal = await call(admin, 'POST', '/api/v1/objects/deal/records', { title: 'Annual renewal', amount: '125000.00', stage: 'new' });
  const thread = await call(admin, 'GET', `/api/v1/objects/deal/records/${deal.id}/thread`);
  for (let i = 0; i < MESSAGES; i++) await call(admin, 'POST', `/api/v1/threads/${thread.id}/messages`, { clientId: `bench-${i}`, body: `Message ${i} about the renewal` });

  const signIn = async (request: APIRequestContext) => {
    const res = await request.post(`${server.url}/api/v1/auth/login`, { data: { login: 'admin', password: PASSWORD } });
    if (!res.ok()) throw new Error(`login answered ${res.status()}`);
  };
  const record: { ms: number; parts: Record<string, number> }[] = [];
  const emptyMs: number[] = [];
  // One of each unmeasured first: Chromium's own first start of a context is not the app's.
  await timeToReady(browser, `${server.url}/o/deal/${deal.id}`, RECORD_READY, signIn);
  await timeToReady(browser, `http://127.0.0.1:${staticPort}/`, EMPTY_READY);
  for (let i = 0; i < SAMPLES; i++) {
    record.push(await timeToReady(browser, `${server.url}/o/deal/${deal.id}`, RECORD_READY, signIn));
    emptyMs.push((await timeToReady(browser, `http://127.0.0.1:${staticPort}/`, EMPTY_READY)).ms);
  }
  const recordMs = record.map((r) => r.ms);
  const parts = Object.keys(RECORD_READY).map((name) => `${name} ${round(median(record.map((r) => r.parts[name]!)), 0)}`);
  process.stderr.write(`B8 record page, p50 of when each part first held (ms): ${parts.join(', ')}\n`);
  report({
    id: 'B8-record-page',
    name: `first record page with its thread (${MESSAGES} messages) interactive, cold cache, PostgreSQL (p50 of ${SAMPLES})`,
    value: round(median(recordMs), 0),
    unit: 'ms',
    baseline: { name: 'the empty Vite + Vue app rendered, same browser (p50)', value: round(median(emptyMs), 0) },
    goal: `≤ 1000 ms; max ${round(Math.max(...recordMs), 0)} ms`,
  });
} catch (error) {
  printOutputs([server]);
  throw error;
} finally {
  await browser.close();
  staticServer.close();
  await stopWithin(server.child);
  await dropSchemas(sql, schema);
  await sql.end();
}
