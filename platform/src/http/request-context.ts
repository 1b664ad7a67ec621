import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { authenticate } from '../auth/index.ts';
import { AppError } from '../core/app-error.ts';
import { systemCtx, type Ctx, type Workspace } from '../core/context.ts';
import type { Platform } from '../core/platform.ts';
import { negotiateLocale } from '../i18n/translate.ts';
import type { AppEnv } from './app-env.ts';

export const SESSION_COOKIE = 'tb_session';
export const CSRF_COOKIE = 'tb_csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Logging in replaces whatever session the browser had, so it needs no CSRF token of the old one. */
const CSRF_EXEMPT = new Set(['/api/v1/auth/login']);

function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError('UNAUTHENTICATED', 401, { details: { reason: 'malformed_authorization_header' } });
  return match[1]!;
}

/**
 * Resolves, in this order, the workspace (X-Workspace header, then host name, then the default),
 * the caller (bearer token or session cookie) and the language of messages, and checks the CSRF
 * token on cookie-authenticated writes. Handlers then find everything in `c.get('ctx')`.
 */
export function requestContext(platform: Platform): MiddlewareHandler<AppEnv> {
  // One workspace-bound handle per workspace rather than per request: each `withSchema` builds a query transformer.
  const workspaceCtxs = new WeakMap<Workspace, Ctx>();
  const workspaceCtx = (workspace: Workspace) => {
    let ctx = workspaceCtxs.get(workspace);
    if (!ctx) workspaceCtxs.set(workspace, (ctx = systemCtx(platform, workspace)));
    return ctx;
  };
  return async function requestContext(c, next) {
    const headerLocale = negotiateLocale(c.req.header('accept-language'));
    c.set('locale', headerLocale);
    const slug = c.req.header('x-workspace');
    const workspace = await platform.workspaces.resolve({ slug, host: c.req.header('host') });
    if (!workspace) throw new AppError('WORKSPACE_NOT_FOUND', 404, { params: { workspace: (slug ?? '').slice(0, 64) } });
    const base: Ctx = { ...workspaceCtx(workspace), actor: { kind: 'anonymous' }, ip: clientIp(c, platform.config.trustProxy), locale: headerLocale };
    const auth = await authenticate(base, { bearer: bearerToken(c), cookie: getCookie(c, SESSION_COOKIE) ?? null });
    const locale = auth.locale ?? headerLocale;
    c.set('locale', locale);
    if (auth.session?.via === 'cookie' && !SAFE_METHODS.has(c.req.method) && !CSRF_EXEMPT.has(c.req.path)) {
      if (c.req.header('x-csrf-token') !== auth.session.csrfToken) throw new AppError('CSRF_FAILED', 403);
    }
    c.set('auth', auth);
    c.set('ctx', { ...base, actor: auth.actor, locale });
    await next();
  };
}
