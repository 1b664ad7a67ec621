import { AppError } from './app-error.ts';
import { isUuid } from './references.ts';

const checks = {
  text: (v: unknown) => typeof v === 'string' && v.isWellFormed() && !v.includes('\u0000'),
  uuid: isUuid,
};

/** Opaque keyset cursors: the sort values of the last row, base64url-encoded. */
export function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Decodes a cursor whose values must be of the given kinds; anything else is INVALID_CURSOR, never a database error. */
export function decodeCursor<const K extends readonly (keyof typeof checks)[]>(cursor: string, kinds: K): { [I in keyof K]: string } {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('INVALID_CURSOR', 400);
  }
  if (!Array.isArray(values) || values.length !== kinds.length || !kinds.every((kind, i) => checks[kind](values[i]))) {
    throw new AppError('INVALID_CURSOR', 400);
  }
  return values as { [I in keyof K]: string };
}
