import { ApiError, toApiError } from './api-error.ts';

type Query = Record<string, string | number | boolean | null | undefined>;
export type RequestOptions = { query?: Query; body?: unknown };

const CSRF_COOKIE = 'tb_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD']);

let onUnauthenticated: (() => void) | null = null;

/** Called when an authenticated call answers 401, i.e. the session ended while the page was open. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export function buildUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // The document language follows the UI language, so server messages come back in the same one.
  const lang = document.documentElement.lang;
  if (lang) headers['accept-language'] = lang;
  if (!SAFE_METHODS.has(method)) {
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), { method, headers, body, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', '');
  }
  const text = await response.text();
  if (!response.ok) {
    const error = toApiError(response.status, text);
    if (error.code === 'UNAUTHENTICATED' && !path.startsWith('/api/v1/auth/')) onUnauthenticated?.();
    throw error;
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The CSRF token a state-changing call must echo, for callers that cannot use `request` (uploads with progress). */
export function csrfToken(): string | null {
  return readCookie(CSRF_COOKIE);
}

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}
