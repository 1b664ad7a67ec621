import { appendAudit } from '../audit/index.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { getFileSettings } from './settings.ts';

const BATCH = 500;

/**
 * Deletes the files older than the workspace's retention (nothing when it has none): rows first, each
 * batch audited in its transaction, then their stored bytes. Bytes that cannot be removed are logged
 * and left as orphans: no row points to them any more, so no one can download them.
 */
export async function purgeExpiredFiles(ctx: Ctx, now = new Date()): Promise<number> {
  const { retentionDays } = await getFileSettings(ctx);
  if (retentionDays === null) return 0;
  const before = new Date(now.getTime() - retentionDays * 86_400_000);
  let purged = 0;
  for (;;) {
    const rows = await inTransaction(ctx, async (tx) => {
      const expired = tx.db.selectFrom('files').select('id').where('created_at', '<', before).orderBy('created_at').limit(BATCH);
      const deleted = await tx.db.deleteFrom('files').where('id', 'in', expired).returning(['id', 'storage_key', 'thumbnail_key']).execute();
      if (deleted.length) await appendAudit(tx, { action: 'files.purge', targetType: 'file', details: { count: deleted.length, before: before.toISOString(), retentionDays } });
      return deleted;
    });
    for (const row of rows) {
      for (const key of [row.storage_key, row.thumbnail_key]) {
        if (key) await ctx.platform.files.delete(key).catch((error: unknown) => ctx.platform.log.warn('a purged file could not be removed from the store', { key, ...errorFields(error) }));
      }
    }
    purged += rows.length;
    if (rows.length < BATCH) return purged;
  }
}
