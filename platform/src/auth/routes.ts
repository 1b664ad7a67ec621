import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { appendAudit } from '../audit/index.ts';
import {
  ApiTokenList,
  ChangePassword,
  CreateApiToken,
  CreatedApiToken,
  IdParam,
  LoginRequest,
  LoginResponse,
  LogoutRequest,
  Session,
  UpdateMe,
  User,
} from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction } from '../core/context.ts';
import { requireUser } from '../core/guards.ts';
import type { Platform } from '../core/platform.ts';
import type { AppEnv } from '../http/app-env.ts';
import { CSRF_COOKIE, SESSION_COOKIE } from '../http/request-context.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { getUser, updateUser } from '../org/index.ts';
import { createApiToken, listApiTokens, revokeApiToken } from './api-tokens.ts';
import { forgetCredentials } from './credential-cache.ts';
import { getCredentials, setPassword } from './credentials.ts';
import { login } from './login.ts';
import { verifyPassword } from './passwords.ts';
import { endSession, endUserSessions } from './sessions.ts';

const tags = ['Auth'];

const loginRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/login',
  tags,
  summary: 'Log in with a login name (or e-mail) and password',
  description: 'Sets the httpOnly session cookie and a readable CSRF cookie; the session token is also returned for API clients.',
  request: { body: body(LoginRequest) },
  responses: { 200: json(LoginResponse, 'Logged in'), ...errors(401, 403, 429) },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/api/v1/auth/logout',
  tags,
  security: secured,
  summary: 'End this session, or every session of the user',
  request: { body: { required: false, content: { 'application/json': { schema: LogoutRequest } } } },
  responses: { 204: { description: 'Logged out' }, ...errors(401, 403) },
});

const meRoute = createRoute({
  method: 'get',
  path: '/api/v1/me',
  tags,
  security: secured,
  summary: 'The logged-in user and the CSRF token of this session',
  responses: { 200: json(Session, 'The current user'), ...errors(401, 403) },
});

const updateMeRoute = createRoute({
  method: 'patch',
  path: '/api/v1/me',
  tags,
  security: secured,
  summary: 'Change your own profile (name, contact, avatar, language)',
  request: { body: body(UpdateMe) },
  responses: { 200: json(User, 'Updated'), ...errors(401, 403) },
});

const passwordRoute = createRoute({
  method: 'post',
  path: '/api/v1/me/password',
  tags,
  security: secured,
  summary: 'Change your password; other sessions end',
  request: { body: body(ChangePassword) },
  responses: { 204: { description: 'Changed' }, ...errors(401, 403) },
});

const createTokenRoute = createRoute({
  method: 'post',
  path: '/api/v1/me/tokens',
  tags,
  security: secured,
  summary: 'Create a personal API token (the secret is shown once)',
  request: { body: body(CreateApiToken) },
  responses: { 201: json(CreatedApiToken, 'Created'), ...errors(401, 403) },
});

const listTokensRoute = createRoute({
  method: 'get',
  path: '/api/v1/me/tokens',
  tags,
  security: secured,
  summary: 'Your live API tokens',
  responses: { 200: json(ApiTokenList, 'Tokens'), ...errors(401, 403) },
});

const revokeTokenRoute = createRoute({
  method: 'delete',
  path: '/api/v1/me/tokens/{id}',
  tags,
  security: secured,
  summary: 'Revoke one of your API tokens',
  request: { params: IdParam },
  responses: { 204: { description: 'Revoked' }, ...errors(401, 403, 404) },
});

function secureCookies(c: Context, platform: Platform): boolean {
  const setting = platform.config.cookieSecure;
  if (setting !== 'auto') return setting;
  const proto = platform.config.trustProxy ? c.req.header('x-forwarded-proto') : undefined;
  return (proto ?? new URL(c.req.url).protocol.replace(':', '')) === 'https';
}

export function authRoutes(platform: Platform) {
  const app = router();

  app.openapi(loginRoute, async (c) => {
    const ctx = c.get('ctx');
    const result = await login(ctx, c.req.valid('json'), c.req.header('user-agent') ?? null);
    const secure = secureCookies(c, platform);
    const maxAge = platform.config.sessionDays * 86_400;
    setCookie(c, SESSION_COOKIE, result.token, { httpOnly: true, sameSite: 'Lax', path: '/', secure, maxAge });
    setCookie(c, CSRF_COOKIE, result.csrfToken, { httpOnly: false, sameSite: 'Lax', path: '/', secure, maxAge });
    return c.json({ user: result.user, token: result.token, csrfToken: result.csrfToken }, 200);
  });

  app.openapi(logoutRoute, async (c) => {
    const ctx = c.get('ctx');
    const actor = requireUser(ctx);
    const { session } = c.get('auth');
    const everywhere = c.req.valid('json').everywhere ?? false;
    await inTransaction(ctx, async (tx) => {
      if (everywhere) await endUserSessions(tx, actor.userId);
      else if (session) await endSession(tx, session.id);
      await appendAudit(tx, { action: 'auth.logout', targetType: 'user', targetId: actor.userId, details: { everywhere } });
    });
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    deleteCookie(c, CSRF_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  app.openapi(meRoute, async (c) => {
    const ctx = c.get('ctx');
    const actor = requireUser(ctx);
    return c.json({ user: await getUser(ctx, actor.userId), csrfToken: c.get('auth').session?.csrfToken ?? null }, 200);
  });

  app.openapi(updateMeRoute, async (c) => {
    const ctx = c.get('ctx');
    const actor = requireUser(ctx);
    const user = await inTransaction(ctx, async (tx) => {
      const updated = await updateUser(tx, actor.userId, c.req.valid('json'));
      // The language of messages comes with the cached credentials.
      if (updated.changed.includes('locale')) await forgetCredentials(tx, actor.userId);
      return updated.user;
    });
    return c.json(user, 200);
  });

  app.openapi(passwordRoute, async (c) => {
    const ctx = c.get('ctx');
    const actor = requireUser(ctx);
    const input = c.req.valid('json');
    const credentials = await getCredentials(ctx, actor.userId);
    if (!credentials || !(await verifyPassword(input.currentPassword, credentials.password_hash))) throw new AppError('WRONG_PASSWORD', 403);
    await setPassword(ctx, actor.userId, input.newPassword, c.get('auth').session?.id);
    return c.body(null, 204);
  });

  app.openapi(createTokenRoute, async (c) => {
    const ctx = c.get('ctx');
    const actor = requireUser(ctx);
    return c.json(await createApiToken(ctx, actor.userId, c.req.valid('json')), 201);
  });

  app.openapi(listTokensRoute, async (c) => {
    const ctx = c.get('ctx');
    const actor = requireUser(ctx);
    return c.json({ items: await listApiTokens(ctx, actor.userId) }, 200);
  });

  app.openapi(revokeTokenRoute, async (c) => {
    const ctx = c.get('ctx');
    const actor = requireUser(ctx);
    await revokeApiToken(ctx, actor.userId, c.req.valid('param').id);
    return c.body(null, 204);
  });

  return app;
}

