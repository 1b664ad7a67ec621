import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditFields = {
  seq: number;
  at: Date;
  actorId: string | null;
  actorLogin: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

/** JSON with sorted keys: jsonb reorders keys, so the hash must not depend on their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function chainHash(prevHash: string, entry: AuditFields): string {
  const body = canonical({ ...entry, at: entry.at.toISOString() });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
