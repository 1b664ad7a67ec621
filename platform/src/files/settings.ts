import { appendAudit } from '../audit/index.ts';
import type { FileSettings } from '../contracts/files.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireAdmin } from '../core/guards.ts';
import { jsonb, toNumber } from '../db/tables.ts';

export async function getFileSettings(ctx: Ctx): Promise<FileSettings> {
  const row = await ctx.db.selectFrom('file_settings').select(['max_bytes', 'allowed_types', 'retention_days']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { maxBytes: toNumber(row.max_bytes), allowedTypes: row.allowed_types, retentionDays: row.retention_days };
}

export async function updateFileSettings(ctx: Ctx, input: FileSettings): Promise<FileSettings> {
  const actor = requireAdmin(ctx);
  return inTransaction(ctx, async (tx) => {
    const before = await getFileSettings(tx);
    const allowedTypes = [...new Set(input.allowedTypes)];
    await tx.db
      .updateTable('file_settings')
      .set({ max_bytes: input.maxBytes, allowed_types: jsonb(allowedTypes), retention_days: input.retentionDays, updated_at: new Date(), updated_by: actor.userId })
      .where('id', '=', 1)
      .execute();
    const after = { ...input, allowedTypes };
    await appendAudit(tx, { action: 'files.settings.update', targetType: 'file_settings', details: { from: before, to: after } });
    return after;
  });
}

/** `image/*` matches every image type, `application/vnd.ms-*` every type with that prefix, `*\/*` anything. */
export function typeAllowed(patterns: readonly string[], contentType: string): boolean {
  return patterns.some((pattern) => (pattern.endsWith('*') ? contentType.startsWith(pattern.slice(0, -1)) || pattern === '*/*' : contentType === pattern));
}
