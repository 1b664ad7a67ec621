import type { E2eApp } from '../support/index.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const option = (key: string, zh: string, en: string, color: string) => ({ key, label: both(zh, en), color });

/** A small sales model: nothing in the app knows these objects; every screen is drawn from this metadata. */
export const model = {
  objects: [
    {
      name: 'account',
      label: both('客户', 'Account'),
      pluralLabel: both('客户', 'Accounts'),
      recordName: 'name',
      fields: [{ name: 'name', type: 'text', label: both('客户名称', 'Account name'), required: true }],
    },
    {
      name: 'deal',
      label: both('商机', 'Deal'),
      pluralLabel: both('商机', 'Deals'),
      recordName: 'title',
      fields: [
        { name: 'title', type: 'text', label: both('商机名称', 'Deal name'), required: true, maxLength: 40, tracked: true },
        { name: 'amount', type: 'currency', label: both('金额', 'Amount'), precision: 14, scale: 2, defaultCurrency: 'CNY', tracked: true },
        { name: 'probability', type: 'percent', label: both('赢单率', 'Probability'), precision: 5, scale: 4 },
        {
          name: 'stage',
          type: 'single_select',
          label: both('阶段', 'Stage'),
          tracked: true,
          options: [option('lead', '线索', 'Lead', '#8f959e'), option('proposal', '方案报价', 'Proposal', '#3370ff'), option('won', '赢单', 'Won', '#00b42a'), option('lost', '输单', 'Lost', '#f53f3f')],
        },
        { name: 'close_date', type: 'date', label: both('预计成交', 'Close date') },
        { name: 'account', type: 'lookup', label: both('客户', 'Account'), target: 'account', onDelete: 'set_null' },
        { name: 'assignee', type: 'user', label: both('销售', 'Sales rep'), tracked: true },
        { name: 'reviewer', type: 'user', label: both('审核人', 'Reviewer') },
        { name: 'notes', type: 'long_text', label: both('备注', 'Notes') },
      ],
      layouts: [
        {
          name: 'main',
          label: both('商机详情', 'Deal'),
          sections: [
            { label: both('基本信息', 'Basics'), columns: 2, fields: ['title', 'stage', 'amount', 'probability', 'close_date', 'account'] },
            { label: both('负责人', 'People'), columns: 2, fields: ['assignee', 'reviewer'] },
            { label: both('备注', 'Notes'), columns: 1, fields: ['notes'] },
          ],
        },
      ],
      listViews: [
        { name: 'all', label: both('全部商机', 'All deals'), columns: ['title', 'stage', 'amount', 'probability', 'close_date', 'account', 'assignee'], sort: '-amount', pageSize: 20 },
      ],
    },
  ],
  scripts: [
    {
      name: 'mark_won',
      label: both('标记赢单', 'Mark won'),
      kind: 'button',
      object: 'deal',
      button: { label: both('标记赢单', 'Mark won'), confirm: both('把这个商机标记为赢单？', 'Mark this deal as won?') },
      source: `export default async function () { await records.update('deal', ctx.record.id, { stage: 'won' }); return { message: 'OK' }; }`,
    },
  ],
};

export const SELLER = { login: 'seller', password: 'seller-password-1', displayName: 'Emma Seller' };
export const REVIEWER = { login: 'reviewer', password: 'reviewer-password-1', displayName: '周审核' };

type Created = { id: string };
const STAGES = ['lead', 'proposal', 'won', 'lost'];

/** Two people besides the admin (the seller reads English), the model, two accounts and 25 deals; the first deal is the one they discuss. */
export async function seed(app: E2eApp) {
  const seller = await app.api<Created>('POST', '/api/v1/org/users', { ...SELLER, locale: 'en' });
  const reviewer = await app.api<Created>('POST', '/api/v1/org/users', { ...REVIEWER });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e records' });
  const acme = await app.api<Created>('POST', '/api/v1/objects/account/records', { name: '示例科技' });
  const globex = await app.api<Created>('POST', '/api/v1/objects/account/records', { name: 'Globex 集团' });
  const main = await app.api<Created>('POST', '/api/v1/objects/deal/records', {
    title: '华东区年度框架协议',
    amount: { amount: '1250000.00', currency: 'CNY' },
    probability: '0.35',
    stage: 'proposal',
    close_date: '2026-12-31',
    account: acme.id,
    assignee: seller.id,
    reviewer: reviewer.id,
    notes: '客户希望分两期付款。\n第二期在验收后支付。',
  });
  for (let i = 1; i <= 24; i++) {
    await app.api('POST', '/api/v1/objects/deal/records', {
      title: `商机 ${String(i).padStart(2, '0')}`,
      amount: { amount: `${i * 10000}.00`, currency: i % 5 === 0 ? 'USD' : 'CNY' },
      probability: `0.${String(i * 4).padStart(2, '0')}`,
      stage: STAGES[i % STAGES.length],
      close_date: `2026-${String((i % 12) + 1).padStart(2, '0')}-15`,
      account: i % 2 ? acme.id : globex.id,
      assignee: i % 3 ? seller.id : null,
    });
  }
  return { sellerId: seller.id, reviewerId: reviewer.id, dealId: main.id, acmeId: acme.id };
}
