import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import { ErrorBody } from '../contracts/index.ts';
import type { Ctx } from '../core/context.ts';
import { requireUser } from '../core/guards.ts';
import type { AppEnv } from './app-env.ts';
import { validationHook } from './validation-hook.ts';

export function router() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}

const errorDescriptions = {
  400: 'Invalid input (FAILED_VALIDATION, INVALID_JSON, INVALID_CURSOR)',
  401: 'Not logged in, or the token is invalid (UNAUTHENTICATED, INVALID_CREDENTIALS)',
  403: 'Not allowed (FORBIDDEN, CSRF_FAILED, ACCOUNT_DISABLED)',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Body is not JSON',
  422: 'Refers to something that does not exist, or the content cannot be processed',
  429: 'Too many attempts or too fast (TOO_MANY_REQUESTS, ACCOUNT_LOCKED, RATE_LIMITED); wait `Retry-After` seconds',
  503: 'Not ready (NOT_READY)',
} as const;

type ErrorStatus = keyof typeof errorDescriptions;

/** The error responses of an operation, all with the one error body. */
export function errors(...statuses: ErrorStatus[]) {
  const all: ErrorStatus[] = [...new Set<ErrorStatus>([400, 413, 415, ...statuses])];
  return Object.fromEntries(
    all.map((s) => [s, { description: errorDescriptions[s], content: { 'application/json': { schema: ErrorBody } } }]),
  ) as Record<ErrorStatus, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }>;
}

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export function body<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

export const secured: Record<string, string[]>[] = [{ session: [] }, { bearer: [] }];

/** The request's context, refusing anyone not logged in (401). */
export function userCtx(c: Context<AppEnv>): Ctx {
  const ctx = c.get('ctx');
  requireUser(ctx);
  return ctx;
}
