import type { Ctx } from '../core/context.ts';
import { toNumber } from '../db/tables.ts';
import { GENESIS_HASH, chainHash } from './chain.ts';

export type AuditProblem = { seq: number; problem: 'missing' | 'edited' | 'relinked' | 'head_mismatch' };
export type AuditReport = { entries: number; ok: boolean; problems: AuditProblem[] };

/**
 * Walks the chain from the first entry: a changed row no longer matches its hash, a deleted row leaves
 * a gap in `seq` and a broken link, and a deleted tail no longer matches the recorded head.
 */
export async function verifyAudit(ctx: Ctx, batchSize = 1000): Promise<AuditReport> {
  const problems: AuditProblem[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  for (;;) {
    const rows = await ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = toNumber(row.seq);
      entries++;
      if (seq !== expectedSeq) problems.push({ seq: expectedSeq, problem: 'missing' });
      if (row.prev_hash !== prevHash && seq === expectedSeq) problems.push({ seq, problem: 'relinked' });
      const recomputed = chainHash(row.prev_hash, {
        seq,
        at: new Date(row.at),
        actorId: row.actor_id,
        actorLogin: row.actor_login,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        ip: row.ip,
        details: row.details as unknown as Record<string, unknown>,
      });
      if (recomputed !== row.hash) problems.push({ seq, problem: 'edited' });
      prevHash = row.hash;
      expectedSeq = seq + 1;
    }
  }
  const head = await ctx.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  const lastSeq = expectedSeq - 1;
  if (head && (toNumber(head.seq) !== lastSeq || head.hash !== prevHash)) problems.push({ seq: toNumber(head.seq), problem: 'head_mismatch' });
  return { entries, ok: problems.length === 0, problems };
}
