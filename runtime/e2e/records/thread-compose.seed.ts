import type { E2eApp } from '../support/index.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** One object and one record to talk about: nothing in the thread's composer knows this model. */
const model = {
  objects: [
    {
      name: 'deal',
      label: both('商机', 'Deal'),
      pluralLabel: both('商机', 'Deals'),
      recordName: 'title',
      fields: [
        { name: 'title', type: 'text', label: both('商机名称', 'Deal name'), required: true },
        { name: 'assignee', type: 'user', label: both('销售', 'Sales rep') },
        { name: 'reviewer', type: 'user', label: both('审核人', 'Reviewer') },
      ],
      layouts: [{ name: 'main', label: both('商机详情', 'Deal'), sections: [{ label: both('基本信息', 'Basics'), columns: 2, fields: ['title', 'assignee', 'reviewer'] }] }],
      listViews: [{ name: 'all', label: both('全部商机', 'All deals'), columns: ['title', 'assignee'], sort: 'title', pageSize: 20 }],
    },
  ],
};

export const SELLER = { login: 'seller', password: 'seller-password-1', displayName: 'Emma Seller' };
export const REVIEWER = { login: 'zhou', password: 'reviewer-password-1', displayName: '周审核' };

type Created = { id: string };

/** The admin (Chinese), a seller who reads English and a reviewer who is not watching: all three may read the deal. */
export async function seed(app: E2eApp) {
  const seller = await app.api<Created>('POST', '/api/v1/org/users', { ...SELLER, locale: 'en' });
  const reviewer = await app.api<Created>('POST', '/api/v1/org/users', { ...REVIEWER });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e thread compose' });
  const deal = await app.api<Created>('POST', '/api/v1/objects/deal/records', { title: '华南区渠道合作', assignee: seller.id });
  const thread = await app.api<Created>('GET', `/api/v1/objects/deal/records/${deal.id}/thread`);
  return { sellerId: seller.id, reviewerId: reviewer.id, dealId: deal.id, threadId: thread.id };
}
