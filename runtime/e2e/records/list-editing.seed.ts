import type { E2eApp } from '../support/index.ts';
import { model } from './records.seed.ts';

type Created = { id: string };
type Role = { id: string; key: string };
const STAGES = ['lead', 'proposal', 'won', 'lost'] as const;

export const EDITOR = { login: 'editor', password: 'editor-password-1', displayName: 'Eddie Editor' };

/**
 * The sales model of records.seed.ts with 12 deals (编辑商机 01…12, amount growing with the number), and an
 * English member who may change every deal but only read the probability, and not see the reviewer.
 */
export async function seed(app: E2eApp) {
  await app.api('POST', '/api/v1/org/users', { ...EDITOR, locale: 'en' });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e list editing' });
  const roles = await app.api<{ items: Role[] }>('GET', '/api/v1/access/roles');
  const member = roles.items.find((r) => r.key === 'member')!;
  await app.api('PATCH', `/api/v1/access/roles/${member.id}`, {
    permissions: [
      { object: '*', create: true, read: 'all', edit: 'own', delete: 'own' },
      { object: 'deal', create: true, read: 'all', edit: 'all', delete: 'all', fields: { probability: 'read', reviewer: 'hidden' } },
    ],
  });
  const ids: Record<string, string> = {};
  for (let i = 1; i <= 12; i++) {
    const title = `编辑商机 ${String(i).padStart(2, '0')}`;
    const created = await app.api<Created>('POST', '/api/v1/objects/deal/records', {
      title,
      amount: { amount: `${i * 1000}.00`, currency: 'CNY' },
      probability: '0.25',
      stage: STAGES[i % STAGES.length],
      close_date: `2026-${String((i % 12) + 1).padStart(2, '0')}-15`,
    });
    ids[title] = created.id;
  }
  return ids;
}
