import type { E2eApp } from '@threadbase/runtime/e2e';

export const MEMBER = { login: 'xiaoming', password: 'member-pass-123', displayName: '小明' };

/** A plain employee who may log in, but is no administrator. */
export async function seedMember(app: E2eApp): Promise<void> {
  await app.api('POST', '/api/v1/org/users', { ...MEMBER, isAdmin: false });
}
