import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.ts';

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

export function chainHash(prevHash: string, entry: AuditFields): string {
  const body = canonicalJson({ ...entry, at: entry.at.toISOString() });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}
