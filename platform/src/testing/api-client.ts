import type { App } from '../http/create-app.ts';
import { TEST_ADMIN_PASSWORD } from './test-platform.ts';

export type ApiResponse<T = any> = { status: number; body: T; headers: Headers };
export type RequestOptions = { body?: unknown; headers?: Record<string, string>; raw?: string };

/**
 * Calls the Hono app in-process (no socket), as a given bearer token or anonymously.
 * `as(token)` returns a client bound to that token.
 */
export function apiClient(app: App, token?: string, baseHeaders: Record<string, string> = {}) {
  async function request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...baseHeaders, ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }
  return {
    request,
    get: <T = any>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
    post: <T = any>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
    patch: <T = any>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, { ...options, body }),
    delete: <T = any>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
    as: (other: string | undefined, headers: Record<string, string> = baseHeaders) => apiClient(app, other, headers),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

let ipCounter = 0;
/** Logs in (from a fresh fake IP so throttling tests don't bleed into each other) and returns a client with the session token. */
export async function loginAs(app: App, login = 'admin', password = TEST_ADMIN_PASSWORD, headers: Record<string, string> = {}): Promise<ApiClient> {
  const ip = `10.99.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;
  const res = await apiClient(app, undefined, headers).post('/api/v1/auth/login', { login, password }, { headers: { 'x-forwarded-for': ip } });
  if (res.status !== 200) throw new Error(`login ${login} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return apiClient(app, res.body.token, headers);
}
