import { sql, type Kysely } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import type { MetaChanges, MetaDocument, MetaExport, MetaImportResult, MetaVersion } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import { assertValidFlowExpressions } from '../flows/expression-check.ts';
import { applySchemaActions, assertValidMetadata, planSchemaChanges } from '../schema/index.ts';
import { buildScripts } from '../scripts/builds.ts';
import { planSchedules } from '../scripts/schedule-plan.ts';
import { describeChanges, keepingArchived } from './diff.ts';
import { announcePublished } from './publish-listeners.ts';
import { META_CHANNEL, forgetPublished } from './published-objects.ts';

type Published = { version: number; document: MetaDocument | null };

/** A document as it would be published on top of `published`: merged, checked, planned and described. */
function prepare(published: Published, document: MetaDocument) {
  const merged = keepingArchived(published.document, document);
  assertValidMetadata(merged, published.document);
  return { merged, actions: planSchemaChanges(published.document, merged), changes: describeChanges(published.document, merged) };
}

/** A stored document; versions from before scripts were metadata have none. */
export function storedDocument(json: unknown): MetaDocument {
  const document = json as MetaDocument;
  return { ...document, scripts: document.scripts ?? [] };
}

export async function publishedMeta(ctx: Ctx): Promise<Published> {
  const row = await ctx.db.selectFrom('meta_versions').select(['version', 'document']).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row ? { version: row.version, document: storedDocument(row.document) } : { version: 0, document: null };
}

async function draftRow(ctx: Ctx) {
  const row = await ctx.db.selectFrom('meta_draft').select(['document', 'base_version']).where('id', '=', 1).executeTakeFirst();
  return row ? { document: storedDocument(row.document), baseVersion: row.base_version } : null;
}

/** The draft, or the published metadata when nobody has started one. */
export async function getDraft(ctx: Ctx): Promise<{ document: MetaDocument; baseVersion: number; hasDraft: boolean }> {
  const draft = await draftRow(ctx);
  if (draft) return { ...draft, hasDraft: true };
  const published = await publishedMeta(ctx);
  return { document: published.document ?? { objects: [], scripts: [] }, baseVersion: published.version, hasDraft: false };
}

/**
 * Saves the whole draft. It is checked now for everything that does not depend on data (names,
 * references, type changes that can never convert); data-dependent checks run at publish.
 */
export async function saveDraft(ctx: Ctx, document: MetaDocument): Promise<MetaChanges> {
  await buildScripts(ctx, document.scripts ?? []);
  await assertValidFlowExpressions(ctx, document);
  return inTransaction(ctx, async (tx) => {
    const published = await publishedMeta(tx);
    const { changes } = prepare(published, document);
    const existing = await draftRow(tx);
    const baseVersion = existing?.baseVersion ?? published.version;
    await tx.db
      .insertInto('meta_draft')
      .values({ id: 1, document: jsonb(document), base_version: baseVersion, updated_at: new Date(), updated_by: actorId(tx) })
      .onConflict((oc) => oc.column('id').doUpdateSet({ document: jsonb(document), updated_at: new Date(), updated_by: actorId(tx) }))
      .execute();
    return { baseVersion, hasDraft: true, changes };
  });
}

export async function discardDraft(ctx: Ctx): Promise<void> {
  await ctx.db.deleteFrom('meta_draft').where('id', '=', 1).execute();
}

export async function draftChanges(ctx: Ctx): Promise<MetaChanges> {
  const published = await publishedMeta(ctx);
  const draft = await draftRow(ctx);
  const changes = draft ? prepare(published, draft.document).changes : [];
  return { baseVersion: draft?.baseVersion ?? published.version, hasDraft: Boolean(draft), changes };
}

/**
 * Publishes a document (the draft, a restored version or an import) as the next version: metadata and
 * DDL in one transaction, under a lock so concurrent publishes queue. Any refusal leaves both as before.
 */
async function publishDocument(ctx: Ctx, source: 'draft' | { document: MetaDocument }, note: string | null, action: string): Promise<MetaVersion> {
  // Compiled before the transaction (the compiler may take a while to start); a draft changed meanwhile
  // has its new scripts compiled when they first run.
  const toBuild = source === 'draft' ? (await draftRow(ctx))?.document : source.document;
  if (toBuild) await buildScripts(ctx, toBuild.scripts ?? []);
  if (toBuild) await assertValidFlowExpressions(ctx, toBuild);
  return inTransaction(ctx, async (tx) => {
    await lockMetadata(tx);
    const published = await publishedMeta(tx);
    let document: MetaDocument;
    if (source === 'draft') {
      const draft = await draftRow(tx);
      if (!draft) throw new AppError('NOTHING_TO_PUBLISH', 409);
      if (draft.baseVersion !== published.version) throw new AppError('DRAFT_OUTDATED', 409, { params: { version: published.version } });
      document = draft.document;
    } else {
      document = source.document;
    }
    const { merged, actions, changes } = prepare(published, document);
    if (changes.length === 0) throw new AppError('NOTHING_TO_PUBLISH', 409);
    await applySchemaActions({ db: tx.db as unknown as Kysely<any>, schemas: tx.workspace.schemas }, actions);
    await planSchedules(tx, merged.scripts ?? []);
    const version = published.version + 1;
    const row = await tx.db
      .insertInto('meta_versions')
      .values({ version, document: jsonb(merged), changes: jsonb(changes), note, published_by: actorId(tx) })
      .returning(['published_at'])
      .executeTakeFirstOrThrow();
    // A restore or an import leaves a draft in progress alone; its base version now tells it is outdated.
    if (source === 'draft') await tx.db.deleteFrom('meta_draft').where('id', '=', 1).execute();
    await appendAudit(tx, { action, targetType: 'meta_version', targetId: String(version), details: { changes: changes.length, ddl: actions.length } });
    await publishEvent(tx, { aggregateType: 'meta', aggregateId: tx.workspace.id, type: 'meta.published', payload: { version } });
    const schema = tx.workspace.schemas.system;
    await sql`select pg_notify(${META_CHANNEL}, ${schema})`.execute(tx.db);
    tx.afterCommit!.push(() => {
      forgetPublished(schema);
      announcePublished(ctx, version);
    });
    return { version, publishedAt: new Date(row.published_at).toISOString(), publishedBy: actorId(tx), note, changes };
  });
}

export function publishDraft(ctx: Ctx, note: string | null): Promise<MetaVersion> {
  return publishDocument(ctx, 'draft', note, 'meta.publish');
}

export async function listVersions(ctx: Ctx): Promise<MetaVersion[]> {
  const rows = await ctx.db.selectFrom('meta_versions').select(['version', 'published_at', 'published_by', 'note', 'changes']).orderBy('version', 'desc').execute();
  return rows.map((r) => ({
    version: r.version,
    publishedAt: new Date(r.published_at).toISOString(),
    publishedBy: r.published_by,
    note: r.note,
    changes: r.changes as unknown as MetaVersion['changes'],
  }));
}

/** Publishes version K's metadata again, as a new version; what K did not have is archived, not dropped. */
export async function restoreVersion(ctx: Ctx, version: number, note: string | null): Promise<MetaVersion> {
  const row = await ctx.db.selectFrom('meta_versions').select('document').where('version', '=', version).executeTakeFirst();
  if (!row) throw new AppError('VERSION_NOT_FOUND', 404, { params: { version } });
  return publishDocument(ctx, { document: storedDocument(row.document) }, note ?? `restore of version ${version}`, 'meta.restore');
}

export async function exportMeta(ctx: Ctx): Promise<MetaExport> {
  const published = await publishedMeta(ctx);
  return { format: 'threadbase-meta/1', version: published.version, document: published.document ?? { objects: [], scripts: [] } };
}

/** Brings metadata from another environment: a dry run shows the diff; otherwise it is published. */
export async function importMeta(ctx: Ctx, document: MetaDocument, dryRun: boolean, note: string | null): Promise<MetaImportResult> {
  if (dryRun) {
    return { dryRun: true, version: null, changes: prepare(await publishedMeta(ctx), document).changes };
  }
  const published = await publishDocument(ctx, { document }, note ?? 'import', 'meta.import');
  return { dryRun: false, version: published.version, changes: published.changes };
}

/** Serialises everything that publishes metadata in a workspace (publish, restore, import, purge) until commit. */
export async function lockMetadata(tx: Ctx): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${`threadbase:meta:${tx.workspace.schemas.system}`}))`.execute(tx.db);
}
