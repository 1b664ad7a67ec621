import type { ErrorCode } from '../contracts/index.ts';

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 416 | 422 | 429 | 500 | 503;

/**
 * The one error type domains throw. The HTTP layer turns it into `{ error: { code, message, details } }`
 * with the message in the caller's language; `params` fill the message, `details` go to the client as is.
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly status: ErrorStatus;
  readonly params: Record<string, string | number>;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    status: ErrorStatus,
    options: { params?: Record<string, string | number>; details?: Record<string, unknown> } = {},
  ) {
    super(code);
    this.code = code;
    this.status = status;
    this.params = options.params ?? {};
    this.details = options.details ?? {};
  }
}

export const notFound = (code: ErrorCode = 'NOT_FOUND') => new AppError(code, 404);
export const forbidden = () => new AppError('FORBIDDEN', 403);
