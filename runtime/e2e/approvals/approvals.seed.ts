import type { E2eApp } from '../support/index.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** An expense object whose "submit for approval" flow asks the submitter's manager, then records the outcome. */
export const model = {
  objects: [
    {
      name: 'expense',
      label: both('报销单', 'Expense'),
      pluralLabel: both('报销单', 'Expenses'),
      recordName: 'title',
      fields: [
        { name: 'title', type: 'text', label: both('事由', 'Purpose'), required: true },
        { name: 'amount', type: 'integer', label: both('金额', 'Amount') },
        { name: 'note', type: 'text', label: both('说明', 'Note') },
        {
          name: 'status',
          type: 'single_select',
          label: both('审批结果', 'Outcome'),
          options: ['approved', 'rejected', 'recalled', 'cancelled'].map((key) => ({ key, label: both(key, key), color: '#3370ff' })),
        },
      ],
    },
  ],
  flows: [
    {
      name: 'expense_approval',
      label: both('报销审批', 'Expense approval'),
      trigger: { type: 'manual', object: 'expense' },
      nodes: [
        { id: 'start', type: 'start', data: {} },
        {
          id: 'ask',
          type: 'approval',
          data: {
            title: '报销 {{record.title}}（{{record.amount}} 元）',
            summaryFields: ['amount', 'note'],
            levels: [{ id: 'manager', label: '直属主管', approvers: [{ kind: 'manager', level: 1 }] }],
          },
        },
        { id: 'record', type: 'update_record', data: { values: { status: { expr: 'steps.ask.outcome' } } } },
        { id: 'end', type: 'end', data: {} },
      ],
      edges: [
        { id: 'e1', source: 'start', target: 'ask' },
        { id: 'e2', source: 'ask', target: 'record' },
        { id: 'e3', source: 'record', target: 'end' },
      ],
    },
    {
      name: 'expense_reminder',
      label: both('报销提醒', 'Expense reminder'),
      trigger: { type: 'manual', object: 'expense' },
      nodes: [
        { id: 'start', type: 'start', data: {} },
        {
          id: 'remind',
          type: 'post_message',
          data: {
            text: '请补充 {{record.title}} 的发票',
            card: {
              title: '待补发票：{{record.title}}',
              fields: [
                { label: '金额', value: '{{record.amount}} 元' },
                { label: '说明', value: '{{record.note}}' },
              ],
              links: [
                { label: '打开报销单', url: '/o/expense/{{record.id}}' },
                { label: '报销制度', url: 'https://example.com/expense-policy' },
              ],
            },
          },
        },
        { id: 'end', type: 'end', data: {} },
      ],
      edges: [
        { id: 'r1', source: 'start', target: 'remind' },
        { id: 'r2', source: 'remind', target: 'end' },
      ],
    },
  ],
};

export const EMPLOYEE = { login: 'lina_e2e', password: 'lina-password-1', displayName: '李娜' };
export const MANAGER = { login: 'mark_e2e', password: 'mark-password-1', displayName: 'Mark Manager' };

/** The manager (reads English) and his report, who owns two expenses: one to approve, one to reject. */
export async function seed(app: E2eApp) {
  const manager = await app.api<{ id: string }>('POST', '/api/v1/org/users', { ...MANAGER, locale: 'en' });
  await app.api('POST', '/api/v1/org/users', { ...EMPLOYEE, managerId: manager.id });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e approvals' });
  // The employee creates her expenses herself: only a record's owner may submit it.
  const login = await post<{ token: string }>(app, null, '/api/v1/auth/login', { login: EMPLOYEE.login, password: EMPLOYEE.password });
  const taxi = await post<{ id: string }>(app, login.token, '/api/v1/objects/expense/records', { title: '机场打车', amount: 320, note: '客户拜访往返' });
  const hotel = await post<{ id: string }>(app, login.token, '/api/v1/objects/expense/records', { title: '酒店住宿', amount: 1800, note: '超出标准' });
  return { taxiId: taxi.id, hotelId: hotel.id };
}

async function post<T>(app: E2eApp, token: string | null, path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
  const response = await fetch(app.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}
