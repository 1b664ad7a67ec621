import type { ScriptDiagnostic, ScriptSummary, ScriptSummaryList } from '../contracts/scripts.ts';
import { systemCtx, type Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import { jsonb } from '../db/tables.ts';
import { onPublished, publishedObjects } from '../meta/index.ts';
import { sourceHash } from './builds.ts';
import { checkScript } from './service.ts';

/**
 * Every published script with its type check against the published version: made when missing or stale
 * (another version, another source), kept in `script_checks`. A script that checked before and fails now
 * is flagged: a publish renamed or removed something it uses.
 */
export async function scriptSummaries(ctx: Ctx): Promise<ScriptSummaryList> {
  const { scripts, version } = await publishedObjects(ctx);
  const rows = await ctx.db.selectFrom('script_checks').selectAll().execute();
  const byName = new Map(rows.map((r) => [r.script, r]));
  const items: ScriptSummary[] = [];
  for (const script of scripts) {
    const hash = sourceHash(script.source);
    let row = byName.get(script.name);
    if (!row || row.meta_version !== version || row.source_hash !== hash) {
      const checked = await checkScript({ ...ctx, locale: 'en' }, script.source);
      const fresh = { script: script.name, source_hash: hash, meta_version: checked.typesVersion, ok: checked.ok, diagnostics: jsonb(checked.diagnostics) };
      await ctx.db
        .insertInto('script_checks')
        .values(fresh)
        .onConflict((oc) => oc.column('script').doUpdateSet({ source_hash: hash, meta_version: checked.typesVersion, ok: checked.ok, diagnostics: jsonb(checked.diagnostics), checked_at: new Date() }))
        .execute();
      row = { ...fresh, diagnostics: checked.diagnostics, checked_at: new Date() };
    }
    const diagnostics = (row.diagnostics as ScriptDiagnostic[]).filter((d) => d.severity === 'error');
    items.push({
      name: script.name,
      kind: script.kind,
      object: script.object ?? null,
      active: script.active,
      runAs: script.runAs,
      typeCheck: { ok: row.ok, metaVersion: row.meta_version, diagnostics },
      flagged: !row.ok,
    });
  }
  return { items, metaVersion: version };
}

/** After each publish, this process checks the scripts again, so the list is ready and broken ones flagged. */
export function registerScriptChecks(): void {
  onPublished((ctx) => {
    scriptSummaries(systemCtx(ctx.platform, ctx.workspace)).catch((error: unknown) => ctx.platform.log.warn('script checks after publish failed', errorFields(error)));
  });
}
