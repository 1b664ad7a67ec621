import type { E2eApp } from '../support/index.ts';
import { model } from './records.seed.ts';

type Created = { id: string };
const STAGES = ['lead', 'proposal', 'won', 'lost', null] as const;

/** The sales model of records.seed.ts with 15 deals spread over every stage and none, and an English reader. */
export async function seed(app: E2eApp) {
  await app.api('POST', '/api/v1/org/users', { login: 'reader', password: 'reader-password-1', displayName: 'Rita Reader', locale: 'en' });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e list views' });
  const ids: Record<string, string> = {};
  for (let i = 1; i <= 15; i++) {
    const title = `看板商机 ${String(i).padStart(2, '0')}`;
    const created = await app.api<Created>('POST', '/api/v1/objects/deal/records', {
      title,
      amount: { amount: `${i * 1000}.00`, currency: 'CNY' },
      stage: STAGES[i % STAGES.length],
      close_date: `2026-${String((i % 6) + 1).padStart(2, '0')}-10`,
    });
    ids[title] = created.id;
  }
  return ids;
}

export const READER = { login: 'reader', password: 'reader-password-1' };
