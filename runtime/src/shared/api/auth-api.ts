import type { ApiToken, CreatedApiToken, Locale, LoginResponse, Session, User } from '@threadbase/platform/contracts';
import { request } from './http.ts';

export type ProfilePatch = {
  displayName?: string;
  email?: string | null;
  phone?: string | null;
  avatarUrl?: string | null;
  locale?: Locale;
};

export const authApi = {
  login: (login: string, password: string) => request<LoginResponse>('POST', '/api/v1/auth/login', { body: { login, password } }),
  logout: (everywhere = false) => request<void>('POST', '/api/v1/auth/logout', { body: { everywhere } }),
  me: () => request<Session>('GET', '/api/v1/me'),
  updateMe: (patch: ProfilePatch) => request<User>('PATCH', '/api/v1/me', { body: patch }),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('POST', '/api/v1/me/password', { body: { currentPassword, newPassword } }),
  listTokens: () => request<{ items: ApiToken[] }>('GET', '/api/v1/me/tokens'),
  createToken: (name: string, expiresInDays: number | null) =>
    request<CreatedApiToken>('POST', '/api/v1/me/tokens', { body: { name, expiresInDays } }),
  revokeToken: (id: string) => request<void>('DELETE', `/api/v1/me/tokens/${encodeURIComponent(id)}`),
};
