import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { callServer as api, deployment, killAll, startServer, stop } from '../testing/processes.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';

const d = deployment();
const PASSWORD = 'crash-password-1';
d.env.TB_ADMIN_PASSWORD = PASSWORD;
d.env.TB_JOB_HEARTBEAT_SECONDS = '10';
d.env.TB_SCRIPT_HTTP_PRIVATE = '1';
/**
 * Runs in flight when the process dies: the 1,000 on PostgreSQL; on the embedded database, whose
 * one connection serialises every step of every run, 300 show the same and keep the suite's time sane.
 */
const RUNS = process.env.DATABASE_URL ? 1000 : 300;

/** Counts the calls the flows make, by their idempotency key. */
const calls = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  const key = String(req.headers['idempotency-key']);
  calls.set(key, (calls.get(key) ?? 0) + 1);
  req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
});
afterAll(async () => {
  await killAll();
  await d.cleanup();
  receiver.close();
});

const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });

describe('a process killed while flows run', () => {
  it('resumes every run after a restart: each finishes once, no record, message or step applied twice', { timeout: 600_000 }, async () => {
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    let server = await startServer(d.env);
    const login = async () => (await api(server.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD })).body.token as string;
    let token = await login();
    const flow = {
      name: 'fulfil',
      label: label('Fulfil'),
      trigger: { type: 'record', object: 'purchase', events: ['created'] },
      nodes: [
        { id: 'start', type: 'start', data: {} },
        { id: 'log', type: 'create_record', data: { object: 'entry', values: { title: { expr: 'record.title' } } } },
        { id: 'say', type: 'post_message', data: { text: 'Fulfilling {{record.title}}' } },
        { id: 'pause', type: 'wait', data: { seconds: 1 } },
        { id: 'call', type: 'http_call', data: { method: 'POST', url: `http://127.0.0.1:${port}/orders`, body: { title: { expr: 'record.title' } } } },
        { id: 'mark', type: 'update_record', data: { values: { steps_done: { expr: '(record.steps_done ?? 0) + 1' } } } },
        { id: 'end', type: 'end', data: {} },
      ],
      edges: [edge('start', 'log'), edge('log', 'say'), edge('say', 'pause'), edge('pause', 'call'), edge('call', 'mark'), edge('mark', 'end')],
    };
    const model = {
      objects: [
        objectDef('purchase', 'title', [field('title', 'text', { required: true }), field('steps_done', 'integer')]),
        objectDef('entry', 'title', [field('title', 'text', { required: true })]),
      ],
      flows: [flow],
    };
    const saved = await api(server.url, token, 'PUT', '/api/v1/meta/draft', model);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await api(server.url, token, 'PUT', '/api/v1/scripts/settings', { limits: {}, httpAllowList: [`127.0.0.1:${port}`], runLogDays: 30 })).status).toBe(200);
    expect((await api(server.url, token, 'POST', '/api/v1/meta/publish')).status).toBe(200);
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i += 500) {
      const create = Array.from({ length: Math.min(500, RUNS - i) }, (_, j) => ({ title: `order ${i + j}` }));
      const made = await api(server.url, token, 'POST', '/api/v1/objects/purchase/records/bulk', { create });
      expect(made.status).toBe(200);
      ids.push(...made.body.created.map((r: { id: string }) => r.id));
    }
    await new Promise((r) => setTimeout(r, 3000));
    await stop(server.child, 'SIGKILL');

    server = await startServer(d.env);
    token = await login();
    const counts = async () => {
      const runs = await api(server.url, token, 'GET', '/api/v1/flows');
      return runs.body.items[0].openRuns as number;
    };
    const began = Date.now();
    while ((await counts()) > 0) {
      if (Date.now() - began > 480_000) throw new Error(`runs still open: ${await counts()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const done = await api(server.url, token, 'GET', '/api/v1/flows/fulfil/runs?status=done&limit=200');
    expect(done.body.items.length).toBe(200);
    const entries = await api(server.url, token, 'GET', '/api/v1/objects/entry/records?count=true&limit=1');
    expect(entries.body.total).toBe(RUNS);
    const orders = await api(server.url, token, 'GET', `/api/v1/objects/purchase/aggregate?metrics=sum:steps_done`);
    expect(Number(orders.body.groups[0].values['sum:steps_done'])).toBe(RUNS);
    const posted: number[] = [];
    for (let i = 0; i < ids.length; i += 50) {
      posted.push(...(await Promise.all(ids.slice(i, i + 50).map(async (id) => {
        const thread = await api(server.url, token, 'GET', `/api/v1/objects/purchase/records/${id}/thread`);
        const messages = await api(server.url, token, 'GET', `/api/v1/threads/${thread.body.id}/messages`);
        return messages.body.items.filter((m: { body: string }) => m.body.startsWith('Fulfilling')).length;
      }))));
    }
    expect(posted.filter((n) => n !== 1)).toEqual([]);
    // At least once: every run's call arrived; a call cut short by the kill may have been sent again.
    expect(calls.size).toBe(RUNS);
    await stop(server.child);
  });
});
