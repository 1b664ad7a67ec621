import type { E2eApp } from '../support/index.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** One object and one record whose thread two people talk in; the model itself plays no part. */
const model = {
  objects: [
    {
      name: 'ticket',
      label: both('工单', 'Ticket'),
      pluralLabel: both('工单', 'Tickets'),
      recordName: 'title',
      fields: [
        { name: 'title', type: 'text', label: both('标题', 'Title'), required: true },
        { name: 'handler', type: 'user', label: both('处理人', 'Handler') },
      ],
      layouts: [{ name: 'main', label: both('工单详情', 'Ticket'), sections: [{ label: both('基本信息', 'Basics'), columns: 2, fields: ['title', 'handler'] }] }],
      listViews: [{ name: 'all', label: both('全部工单', 'All tickets'), columns: ['title', 'handler'], sort: 'title', pageSize: 20 }],
    },
  ],
};

/** Emma reads English, 王芳 Chinese: each is the one who loses her connection in one of the tests. */
export const EMMA = { login: 'emma', password: 'emma-password-1', displayName: 'Emma Field' };
export const FANG = { login: 'wangfang', password: 'fang-password-1', displayName: '王芳' };

type Created = { id: string };

export async function seed(app: E2eApp) {
  const emma = await app.api<Created>('POST', '/api/v1/org/users', { ...EMMA, locale: 'en' });
  const fang = await app.api<Created>('POST', '/api/v1/org/users', { ...FANG, locale: 'zh-CN' });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e offline queue' });
  const ticket = await app.api<Created>('POST', '/api/v1/objects/ticket/records', { title: '华东仓库网络故障', handler: emma.id });
  const thread = await app.api<Created>('GET', `/api/v1/objects/ticket/records/${ticket.id}/thread`);
  return { emmaId: emma.id, fangId: fang.id, ticketId: ticket.id, threadId: thread.id };
}
