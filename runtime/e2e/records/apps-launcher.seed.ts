import type { E2eApp } from '../support/index.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const object = (name: string, zh: string, en: string) => ({
  name,
  label: both(zh, en),
  pluralLabel: both(zh, `${en}s`),
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', label: both('名称', 'Name'), required: true }],
});

/** Three objects; the apps list them in an order that is not the alphabetical one of the objects page. */
const objects = [object('account', '客户', 'Account'), object('deal', '商机', 'Deal'), object('ticket', '工单', 'Ticket')];
const apps = [
  { name: 'sales', label: both('销售', 'Sales'), description: both('商机和客户', 'Deals and the accounts behind them'), icon: 'briefcase', color: '#3370ff', objects: ['deal', 'account'] },
  { name: 'service', label: both('客服', 'Service'), description: both('工单和客户', 'Tickets and who raised them'), icon: 'service', color: '#00a870', objects: ['ticket', 'account'] },
];

/** The objects alone, and an English-speaking reader: the launcher has no apps to offer yet. */
export async function seedObjects(app: E2eApp): Promise<void> {
  await app.api('POST', '/api/v1/org/users', { login: 'reader', password: 'reader-password-1', displayName: 'Rita Reader', locale: 'en' });
  await app.api('PUT', '/api/v1/meta/draft', { objects });
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e apps: objects' });
}

/** Publishes the two apps over the three objects. */
export async function publishApps(app: E2eApp): Promise<void> {
  await app.api('PUT', '/api/v1/meta/draft', { objects, apps });
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e apps: apps' });
}

export const READER = { login: 'reader', password: 'reader-password-1' };
