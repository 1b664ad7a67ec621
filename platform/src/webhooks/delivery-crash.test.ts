import { afterAll, describe, expect, it } from 'vitest';
import { callServer as api, deployment, killAll, startServer, stop } from '../testing/processes.ts';
import { field, objectDef } from '../testing/meta-builders.ts';
import { INTERRUPTED } from './deliver.ts';
import { startReceiver, until, type Receiver } from './webhooks-fixture.ts';

const d = deployment();
const PASSWORD = 'crash-password-1';
d.env.TB_ADMIN_PASSWORD = PASSWORD;
d.env.TB_JOB_HEARTBEAT_SECONDS = '10';
d.env.TB_SCRIPT_HTTP_PRIVATE = '1';
const RECORDS = 200;
let receiver: Receiver | null = null;

afterAll(async () => {
  await killAll();
  await d.cleanup();
  await receiver?.close();
});

describe('a process killed while webhooks are being delivered', () => {
  it('delivers every event after a restart, each under its one delivery id', { timeout: 300_000 }, async () => {
    receiver = await startReceiver();
    // Every answer takes a moment, so that the kill finds requests in flight.
    receiver.plan('/items', ...Array.from({ length: RECORDS * 2 }, () => ({ hangMs: 200 })));
    let server = await startServer(d.env);
    const login = async () => (await api(server.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD })).body.token as string;
    let token = await login();
    expect((await api(server.url, token, 'PUT', '/api/v1/meta/draft', { objects: [objectDef('item', 'title', [field('title', 'text', { required: true })])] })).status).toBe(200);
    expect((await api(server.url, token, 'POST', '/api/v1/meta/publish')).status).toBe(200);
    const hook = await api(server.url, token, 'POST', '/api/v1/webhooks', { name: 'erp', url: receiver.url('/items'), events: ['record.created'], timeoutSeconds: 2, retry: { attempts: 5, backoffSeconds: 1 } });
    expect(hook.status).toBe(201);
    const create = Array.from({ length: RECORDS }, (_, i) => ({ title: `item ${i}` }));
    const made = await api(server.url, token, 'POST', '/api/v1/objects/item/records/bulk', { create });
    expect(made.status).toBe(200);
    const ids = new Set<string>(made.body.created.map((r: { id: string }) => r.id));

    await until(async () => receiver!.all.length, (n) => n >= 30, 60_000);
    await stop(server.child, 'SIGKILL');
    const beforeKill = receiver.all.length;
    expect(beforeKill).toBeLessThan(RECORDS);

    server = await startServer(d.env);
    token = await login();
    const deliveries = async () => (await api(server.url, token, 'GET', `/api/v1/webhooks/${hook.body.id}/deliveries?limit=200`)).body.items as { id: string; status: string }[];
    const log = await until(deliveries, (items) => items.length === RECORDS && items.every((i) => i.status === 'delivered'), 240_000);

    // At least once: every delivery arrived under its own id; one cut short by the kill may have come twice.
    const arrived = new Map<string, Set<string>>();
    for (const request of receiver.all) {
      const event = JSON.parse(request.body) as { data: { id: string } };
      const deliveryId = String(request.headers['x-threadbase-delivery']);
      arrived.set(deliveryId, (arrived.get(deliveryId) ?? new Set()).add(event.data.id));
    }
    expect(new Set(arrived.keys())).toEqual(new Set(log.map((l) => l.id)));
    expect([...arrived.values()].every((records) => records.size === 1)).toBe(true);
    expect(new Set([...arrived.values()].flatMap((records) => [...records]))).toEqual(ids);
    // The requests in flight at the kill were made again, their cut-short attempts marked in the log.
    const requests = new Map<string, number>();
    for (const request of receiver.all) requests.set(String(request.headers['x-threadbase-delivery']), (requests.get(String(request.headers['x-threadbase-delivery'])) ?? 0) + 1);
    const repeated = [...requests].filter(([, n]) => n > 1).map(([id]) => id);
    expect(repeated.length).toBeGreaterThan(0);
    for (const id of repeated) {
      const history = (await api(server.url, token, 'GET', `/api/v1/webhook-deliveries/${id}`)).body.history as { error: string | null }[];
      expect(history.map((a) => a.error)).toContain(INTERRUPTED);
    }
    await stop(server.child);
  });
});
