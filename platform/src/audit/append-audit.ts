import { sql } from 'kysely';
import { actorId, type Ctx } from '../core/context.ts';
import { jsonb, toNumber } from '../db/tables.ts';
import { GENESIS_HASH, chainHash } from './chain.ts';

export type AuditEntry = {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  /** For actions without a logged-in actor (a failed login names the login it tried). */
  actorLogin?: string;
};

/**
 * Appends one entry to the workspace's hash-chained audit log, inside the caller's transaction so the
 * entry commits with the change it describes. The advisory lock keeps the chain linear.
 */
export async function appendAudit(ctx: Ctx, entry: AuditEntry): Promise<void> {
  if (!ctx.afterCommit) throw new Error('appendAudit must run inside a transaction');
  await sql`select pg_advisory_xact_lock(hashtext(${`threadbase:audit:${ctx.workspace.schemas.system}`}))`.execute(ctx.db);
  const head = await ctx.db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
  const fields = {
    seq: toNumber(head?.seq) + 1,
    at: new Date(),
    actorId: actorId(ctx),
    actorLogin: entry.actorLogin ?? (ctx.actor.kind === 'user' ? ctx.actor.login : ctx.actor.kind),
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: ctx.ip,
    details: entry.details ?? {},
  };
  const prevHash = head?.hash ?? GENESIS_HASH;
  const hash = chainHash(prevHash, fields);
  // The entry and the new head in one statement: the lock above is held until commit, so every
  // statement after it keeps other audited writes waiting.
  await ctx.db
    .with('entry', (db) =>
      db.insertInto('audit_log').values({
        seq: fields.seq,
        at: fields.at,
        actor_id: fields.actorId,
        actor_login: fields.actorLogin,
        action: fields.action,
        target_type: fields.targetType,
        target_id: fields.targetId,
        ip: fields.ip,
        details: jsonb(fields.details),
        prev_hash: prevHash,
        hash,
      }),
    )
    .insertInto('audit_head')
    .values({ id: 1, seq: fields.seq, hash })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seq: fields.seq, hash }))
    .execute();
}
