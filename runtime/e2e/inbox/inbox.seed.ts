import type { E2eApp } from '../support/index.ts';

export const ALICE = { login: 'alice', password: 'alice-password-1', displayName: '王爱丽' };
export const BRUCE = { login: 'bruce', password: 'bruce-password-1', displayName: 'Bruce Lee' };
export const CAROL = { login: 'carol', password: 'carol-password-1', displayName: '陈卡萝' };

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const model = {
  objects: [
    {
      name: 'deal',
      label: both('商机', 'Deal'),
      pluralLabel: both('商机', 'Deals'),
      recordName: 'title',
      fields: [{ name: 'title', type: 'text', label: both('商机名称', 'Deal name'), required: true }],
    },
  ],
};

/**
 * Three colleagues: Alice and Carol read Chinese, Bruce English. Nobody has a conversation yet; the
 * administrator has invited Alice into one deal's thread and written there, so she follows it.
 */
export async function seed(app: E2eApp) {
  const alice = await app.api<{ id: string }>('POST', '/api/v1/org/users', { ...ALICE });
  const bruce = await app.api<{ id: string }>('POST', '/api/v1/org/users', { ...BRUCE, locale: 'en' });
  const carol = await app.api<{ id: string }>('POST', '/api/v1/org/users', { ...CAROL });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e inbox' });
  const deal = await app.api<{ id: string }>('POST', '/api/v1/objects/deal/records', { title: '华东区框架协议' });
  const thread = await app.api<{ id: string }>('GET', `/api/v1/objects/deal/records/${deal.id}/thread`);
  await app.api('POST', `/api/v1/threads/${thread.id}/members`, { userIds: [alice.id] });
  await app.api('POST', `/api/v1/threads/${thread.id}/messages`, { clientId: 'seed-deal-1', body: '请跟进这个商机' });
  return { aliceId: alice.id, bruceId: bruce.id, carolId: carol.id, dealId: deal.id };
}
