import type { E2eApp } from '../support/index.ts';

export const ALICE = { login: 'alice', password: 'alice-password-1', displayName: '王爱丽' };
export const BRUCE = { login: 'bruce', password: 'bruce-password-1', displayName: 'Bruce Lee' };
export const CAROL = { login: 'carol', password: 'carol-password-1', displayName: '陈卡萝' };
export const GROUP = '华东销售群';

/** Calls the API as one of the seeded people, as her own client would. */
export async function asUser<T>(app: E2eApp, who: { login: string; password: string }, method: string, path: string, body?: unknown): Promise<T> {
  const call = async (token: string | null, m: string, p: string, b?: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const response = await fetch(app.url + p, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${m} ${p} answered ${response.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const { token } = (await call(null, 'POST', '/api/v1/auth/login', { login: who.login, password: who.password })) as { token: string };
  return (await call(token, method, path, body)) as T;
}

/**
 * Three colleagues: Alice and Carol read Chinese, Bruce English. Alice owns a group with Carol in it;
 * Bruce is in no conversation yet (he joins the group by its link later).
 */
export async function seed(app: E2eApp) {
  const alice = await app.api<{ id: string }>('POST', '/api/v1/org/users', { ...ALICE });
  const bruce = await app.api<{ id: string }>('POST', '/api/v1/org/users', { ...BRUCE, locale: 'en' });
  const carol = await app.api<{ id: string }>('POST', '/api/v1/org/users', { ...CAROL });
  const group = await asUser<{ id: string }>(app, ALICE, 'POST', '/api/v1/threads', { kind: 'group', title: GROUP, memberIds: [carol.id] });
  return { aliceId: alice.id, bruceId: bruce.id, carolId: carol.id, groupId: group.id };
}
