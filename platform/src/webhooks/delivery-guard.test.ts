import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { startReceiver, until, type Receiver } from './webhooks-fixture.ts';

let t: TestPlatform;
let admin: ApiClient;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  // The operator has not allowed private addresses (TB_SCRIPT_HTTP_PRIVATE unset).
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

describe('the outbound guard', () => {
  it('refuses loopback and private receivers unless the operator allows them, without retrying', async () => {
    const hook = (await admin.post('/api/v1/webhooks', { name: 'intranet', url: receiver.url('/intranet'), events: ['record.created'], retry: { attempts: 5, backoffSeconds: 1 } })).body;
    const sent = (await admin.post(`/api/v1/webhooks/${hook.id}/test`)).body;
    const delivery = await until(async () => (await admin.get(`/api/v1/webhook-deliveries/${sent.id}`)).body, (d) => d.status === 'failed');
    expect(delivery).toMatchObject({
      attempts: 1,
      responseStatus: null,
      error: 'The URL leads to a loopback, private or otherwise non-public address; the operator allows those with TB_SCRIPT_HTTP_PRIVATE=1.',
    });
    expect(receiver.all).toEqual([]);
  });
});
