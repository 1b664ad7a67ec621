import { createHash, randomBytes } from 'node:crypto';

export const SESSION_PREFIX = 'tbs_';
export const API_TOKEN_PREFIX = 'tbp_';

export function newSecret(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Tokens carry 256 random bits, so a fast hash is enough to keep the stored form useless if leaked. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
