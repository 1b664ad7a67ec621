import { appendAudit } from '../audit/index.ts';
import type { MessagingSettings } from '../contracts/threads.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireAdmin } from '../core/guards.ts';

export async function messagingSettings(ctx: Ctx): Promise<MessagingSettings> {
  const row = await ctx.db.selectFrom('messaging_settings').select('recall_minutes').where('id', '=', 1).executeTakeFirstOrThrow();
  return { recallMinutes: row.recall_minutes };
}

/** Administrators set the workspace's messaging rules; every change is audited with its before and after. */
export async function updateMessagingSettings(ctx: Ctx, input: MessagingSettings): Promise<MessagingSettings> {
  const actor = requireAdmin(ctx);
  return inTransaction(ctx, async (tx) => {
    const before = await messagingSettings(tx);
    await tx.db.updateTable('messaging_settings').set({ recall_minutes: input.recallMinutes, updated_at: new Date(), updated_by: actor.userId }).where('id', '=', 1).execute();
    await appendAudit(tx, { action: 'messaging.settings.update', targetType: 'messaging_settings', details: { from: before, to: input } });
    return input;
  });
}
