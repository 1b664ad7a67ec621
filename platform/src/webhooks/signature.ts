import { createHmac, randomBytes } from 'node:crypto';

/** A signing secret: 256 random bits, with a prefix that says what it is when it turns up in a config file. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The X-Threadbase-Signature value: HMAC-SHA256 of `<timestamp>.<body>` with the subscription's secret.
 * The timestamp is inside the signed text so that a captured request cannot be replayed later unnoticed.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The last characters of a secret or token: enough to tell two apart in a list, useless to an attacker. */
export const hintOf = (secret: string) => secret.slice(-4);
