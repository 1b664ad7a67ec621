import type { Socket } from 'socket.io';
import { authenticate } from '../auth/authenticate.ts';
import type { Locale } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { systemCtx, type Ctx } from '../core/context.ts';
import type { Platform } from '../core/platform.ts';
import { negotiateLocale } from '../i18n/translate.ts';
import { SESSION_COOKIE } from '../http/request-context.ts';

/** What a socket carries between events (plain data: the PostgreSQL adapter ships it to other processes). */
export type SocketData = { workspaceSlug: string; schema: string; userId: string; login: string; isAdmin: boolean; locale: Locale };

function cookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

/**
 * A connection is authenticated once, like an HTTP request: the workspace from `X-Workspace` (or the
 * `workspace` auth field, for browsers that cannot set headers), then the host; the caller by the
 * `token` auth field or the session cookie. Anonymous connections are refused.
 */
export async function authenticateSocket(platform: Platform, socket: Socket): Promise<SocketData> {
  const { headers, auth } = socket.handshake;
  const slug = (headers['x-workspace'] as string | undefined) ?? (typeof auth.workspace === 'string' ? auth.workspace : undefined);
  const workspace = await platform.workspaces.resolve({ slug, host: headers.host });
  if (!workspace) throw new AppError('WORKSPACE_NOT_FOUND', 404, { params: { workspace: (slug ?? '').slice(0, 64) } });
  const base: Ctx = { ...systemCtx(platform, workspace), actor: { kind: 'anonymous' } };
  const bearer = typeof auth.token === 'string' ? auth.token : null;
  const result = await authenticate(base, { bearer, cookie: cookie(headers.cookie, SESSION_COOKIE) });
  if (result.actor.kind !== 'user') throw new AppError('UNAUTHENTICATED', 401);
  const locale = result.locale ?? negotiateLocale(headers['accept-language'] as string | undefined);
  return { workspaceSlug: workspace.slug, schema: workspace.schemas.system, userId: result.actor.userId, login: result.actor.login, isAdmin: result.actor.isAdmin, locale };
}

/** The context a socket's events run in: the same shape as an HTTP request's. */
export function socketCtx(platform: Platform, data: SocketData, ip: string | null): Ctx {
  const workspace = platform.workspaces.list().find((w) => w.schemas.system === data.schema);
  if (!workspace) throw new AppError('WORKSPACE_NOT_FOUND', 404, { params: { workspace: data.workspaceSlug } });
  return { ...systemCtx(platform, workspace), actor: { kind: 'user', userId: data.userId, login: data.login, isAdmin: data.isAdmin }, locale: data.locale, ip };
}
