import type { ErrorCode } from '@threadbase/platform/contracts';

/** `NETWORK_ERROR` is ours: the request never got an answer the server wrote. */
export type ApiErrorCode = ErrorCode | 'NETWORK_ERROR';

/** A failed API call, carrying the server's stable code and its already-localised message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: ApiErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function isApiError(error: unknown, code?: ApiErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/**
 * Turns a non-2xx answer into an ApiError. A body that is not our error shape (a proxy's HTML page,
 * an empty 502) keeps the status but has no message, so the UI falls back to its own text.
 */
export function toApiError(status: number, bodyText: string): ApiError {
  const error = parseErrorBody(bodyText);
  if (error) return new ApiError(status, error.code, error.message, error.details);
  return new ApiError(status, FALLBACK_CODES[status] ?? 'INTERNAL', '');
}

const FALLBACK_CODES: Record<number, ErrorCode> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'TOO_MANY_REQUESTS' };

function parseErrorBody(text: string): { code: ErrorCode; message: string; details: Record<string, unknown> } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || !isRecord(parsed.error)) return null;
  const { code, message, details } = parsed.error;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return { code: code as ErrorCode, message, details: isRecord(details) ? details : {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
