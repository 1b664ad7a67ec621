import { afterAll, describe, expect, it } from 'vitest';
import { callServer, deployment, killAll, startServer, stop } from '../testing/processes.ts';
import { field, objectDef } from '../testing/meta-builders.ts';

const d = deployment();
const PASSWORD = 'crash-password-1';
d.env.TB_ADMIN_PASSWORD = PASSWORD;
d.env.TB_JOB_HEARTBEAT_SECONDS = '10';
afterAll(async () => {
  await killAll();
  await d.cleanup();
});

const api = callServer;

const ROWS = 5000;
const csv = ['title,counter', ...Array.from({ length: ROWS }, (_, i) => `row ${i},${i}`)].join('\n');

describe('a process killed during an import', () => {
  it('leaves no partial import, and the job is run again to the end after a restart', { timeout: 240_000 }, async () => {
    let server = await startServer(d.env);
    const login = async () => (await api(server.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD })).body.token as string;
    let token = await login();
    const model = { objects: [objectDef('item', 'title', [field('title', 'text', { required: true }), field('counter', 'integer')])] };
    expect((await api(server.url, token, 'PUT', '/api/v1/meta/draft', model)).status).toBe(200);
    expect((await api(server.url, token, 'POST', '/api/v1/meta/publish')).status).toBe(200);
    const job = await api(server.url, token, 'POST', '/api/v1/objects/item/records/import', { csv });
    expect(job.status).toBe(202);
    // Not polled meanwhile: on PGlite a poll would wait for the import's transaction and so miss the moment.
    await new Promise((r) => setTimeout(r, 1500));
    await stop(server.child, 'SIGKILL');

    server = await startServer(d.env);
    token = await login();
    const count = async () => (await api(server.url, token, 'GET', '/api/v1/objects/item/records?count=true&limit=1')).body.total as number;
    let state = (await api(server.url, token, 'GET', `/api/v1/jobs/${job.body.id}`)).body;
    // Killed mid-way (the 5,000 rows take several seconds to write): no row of its transaction was committed.
    expect(state.status).not.toBe('succeeded');
    expect(await count()).toBe(0);
    for (let i = 0; i < 600 && state.status !== 'succeeded' && state.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await api(server.url, token, 'GET', `/api/v1/jobs/${job.body.id}`)).body;
    }
    expect(state).toMatchObject({ status: 'succeeded', rowsDone: ROWS, result: { created: ROWS } });
    expect(await count()).toBe(ROWS);
    const sum = (await api(server.url, token, 'GET', '/api/v1/objects/item/aggregate?metrics=sum:counter')).body.groups[0].values['sum:counter'];
    expect(Number(sum)).toBe((ROWS * (ROWS - 1)) / 2);
    await stop(server.child);
  });
});
