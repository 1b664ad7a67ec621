import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ErrorBody } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { errorFields, type Logger } from '../core/logger.ts';
import { negotiateLocale, translate } from '../i18n/translate.ts';
import type { AppEnv } from './app-env.ts';

/** Maps what Hono itself throws (bad JSON, wrong media type) onto our codes. */
function fromHttpException(error: HTTPException): AppError {
  if (error.status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', 415);
  if (error.status === 413) return new AppError('PAYLOAD_TOO_LARGE', 413);
  if (error.status === 400 && /json/i.test(error.message)) return new AppError('INVALID_JSON', 400);
  if (error.status === 401) return new AppError('UNAUTHENTICATED', 401);
  if (error.status === 404) return new AppError('NOT_FOUND', 404);
  return new AppError(error.status < 500 ? 'FAILED_VALIDATION' : 'INTERNAL', error.status < 500 ? 400 : 500);
}

/** PostgreSQL errors that can only come from a request racing another one, translated in one place. */
function fromDatabaseError(error: unknown): AppError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '23505') return new AppError('UNIQUE_VALUE_TAKEN', 409);
  if (code === '23503') return new AppError('REFERENCE_NOT_FOUND', 422, { params: { field: '' } });
  if (code === '23001') return new AppError('RECORD_IN_USE', 409);
  return null;
}

export function renderError(c: Context<AppEnv>, error: AppError) {
  const locale = c.get('locale') ?? negotiateLocale(c.req.header('accept-language'));
  const body: ErrorBody = { error: { code: error.code, message: translate(locale, error.code, error.params), details: error.details } };
  const retry = error.details.retryAfterSeconds;
  if (typeof retry === 'number') c.header('Retry-After', String(retry));
  return c.json(body, error.status);
}

export function errorHandler(log: Logger) {
  return function onError(error: Error, c: Context<AppEnv>) {
    if (error instanceof AppError) return renderError(c, error);
    if (error instanceof HTTPException) return renderError(c, fromHttpException(error));
    const translated = fromDatabaseError(error);
    if (translated) return renderError(c, translated);
    log.error('unhandled error', { method: c.req.method, path: c.req.path, ...errorFields(error) });
    return renderError(c, new AppError('INTERNAL', 500));
  };
}
