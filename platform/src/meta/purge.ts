import { sql, type Kysely } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import type { FieldDefinition, MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import { dropArchived, metadataProblems, storedData, type MetadataProblem, type SchemaTarget } from '../schema/index.ts';
import { META_CHANNEL, forgetPublished } from './published-objects.ts';
import { lockMetadata, publishedMeta } from './service.ts';

/** Archived objects and `object.field`s to purge; naming none means everything archived. */
export type PurgeSelection = { objects: readonly string[]; fields: readonly string[] };

/** One archived definition and how much data dropping it destroys (`values` is null for a computed field). */
export type PurgeItem =
  | { kind: 'object'; object: string; rows: number }
  | { kind: 'field'; object: string; field: string; rows: number; values: number | null };

/** `version` is the metadata version the purge published; null for a dry run or when nothing is archived. */
export type PurgeResult = { items: PurgeItem[]; version: number | null };

/** A purge that cannot run. Each reason names what was asked for, or what still depends on it; nothing changed. */
export class PurgeRefusedError extends Error {
  override name = 'PurgeRefusedError';
  readonly reasons: string[];
  constructor(summary: string, reasons: string[]) {
    super(`${summary}\n  ${reasons.join('\n  ')}`);
    this.reasons = reasons;
  }
}

type Chosen = { objects: ObjectDefinition[]; fields: { object: string; field: FieldDefinition }[] };

/**
 * Drops archived tables and columns for good. The archived definitions leave the metadata as a new
 * published version, in one transaction with the DDL and an audit entry, under the lock publishes take,
 * so no publish can interleave. A dry run only lists and counts. Refused (nothing changed) when a name is
 * unknown or not archived, or when the metadata left behind would no longer be valid: something still
 * points at what would go (a lookup, a rollup, a layout, the record name).
 */
export async function purgeArchived(ctx: Ctx, selection: PurgeSelection, options: { dryRun: boolean }): Promise<PurgeResult> {
  return inTransaction(ctx, async (tx) => {
    if (!options.dryRun) await lockMetadata(tx);
    const published = await publishedMeta(tx);
    const document = published.document ?? { objects: [], scripts: [] };
    const chosen = choose(document, selection);
    const after = without(document, chosen);
    const problems = metadataProblems(after, document);
    if (problems.length > 0) {
      throw new PurgeRefusedError('Nothing was purged: something still depends on what would be dropped.', [...new Set(problems.map((p) => dependency(after, p)))]);
    }
    const target: SchemaTarget = { db: tx.db as unknown as Kysely<any>, schemas: tx.workspace.schemas };
    const items = await measure(target, chosen);
    if (options.dryRun || items.length === 0) return { items, version: null };

    await dropArchived(target, { tables: chosen.objects.map((o) => o.name), fields: chosen.fields });
    const version = published.version + 1;
    const purged = items.map((i) => (i.kind === 'object' ? i.object : `${i.object}.${i.field}`));
    // The diff of a purge is empty (nothing live changes): the note says what went.
    await tx.db
      .insertInto('meta_versions')
      .values({ version, document: jsonb(after), changes: jsonb([]), note: `purge of ${purged.join(', ')}`, published_by: actorId(tx) })
      .execute();
    await appendAudit(tx, { action: 'meta.purge', targetType: 'meta_version', targetId: String(version), details: { purged: items } });
    await publishEvent(tx, { aggregateType: 'meta', aggregateId: tx.workspace.id, type: 'meta.published', payload: { version } });
    const schema = tx.workspace.schemas.system;
    await sql`select pg_notify(${META_CHANNEL}, ${schema})`.execute(tx.db);
    tx.afterCommit!.push(() => forgetPublished(schema));
    return { items, version };
  });
}

/** Fields of an archived object go with its table; naming one of them as well changes nothing. */
function choose(document: MetaDocument, selection: PurgeSelection): Chosen {
  const objects = new Map(document.objects.map((o) => [o.name, o]));
  if (selection.objects.length === 0 && selection.fields.length === 0) {
    const live = document.objects.filter((o) => !o.archived);
    return {
      objects: document.objects.filter((o) => o.archived),
      fields: live.flatMap((o) => o.fields.filter((f) => f.archived).map((field) => ({ object: o.name, field }))),
    };
  }
  const refusals: string[] = [];
  const chosen: Chosen = { objects: [], fields: [] };
  for (const name of new Set(selection.objects)) {
    const object = objects.get(name);
    if (!object) refusals.push(`There is no object "${name}".`);
    else if (!object.archived) refusals.push(`Object ${name} is not archived.`);
    else chosen.objects.push(object);
  }
  for (const spec of new Set(selection.fields)) {
    const [objectName = '', fieldName, ...extra] = spec.split('.');
    const object = objects.get(objectName);
    const field = object?.fields.find((f) => f.name === fieldName);
    if (!fieldName || extra.length > 0) refusals.push(`"${spec}" is not written as object.field.`);
    else if (!object) refusals.push(`There is no object "${objectName}".`);
    else if (!field) refusals.push(`Object ${objectName} has no field "${fieldName}".`);
    else if (!field.archived) refusals.push(`Field ${spec} is not archived${object.archived ? ' (its object is: purge the object)' : ''}.`);
    else if (!chosen.objects.includes(object)) chosen.fields.push({ object: objectName, field });
  }
  if (refusals.length > 0) throw new PurgeRefusedError('Nothing was purged:', refusals);
  return chosen;
}

/** Apps only show objects, so a purged object simply leaves the apps that still listed it (hidden since it was archived). */
function without(document: MetaDocument, chosen: Chosen): MetaDocument {
  const gone = (object: string, field: string) => chosen.fields.some((f) => f.object === object && f.field.name === field);
  const purged = new Set(chosen.objects.map((o) => o.name));
  return {
    ...document,
    objects: document.objects
      .filter((o) => !chosen.objects.includes(o))
      .map((o) => (chosen.fields.some((f) => f.object === o.name) ? { ...o, fields: o.fields.filter((f) => !gone(o.name, f.name)) } : o)),
    ...(document.apps ? { apps: document.apps.map((a) => (a.objects.some((o) => purged.has(o)) ? { ...a, objects: a.objects.filter((o) => !purged.has(o)) } : a)) } : {}),
  };
}

async function measure(target: SchemaTarget, chosen: Chosen): Promise<PurgeItem[]> {
  const items: PurgeItem[] = [];
  for (const object of chosen.objects) items.push({ kind: 'object', object: object.name, rows: (await storedData(target, object.name, [])).rows });
  for (const [object, entries] of Map.groupBy(chosen.fields, (f) => f.object)) {
    const counted = await storedData(target, object, entries.map((e) => e.field));
    entries.forEach((e, i) => items.push({ kind: 'field', object, field: e.field.name, rows: counted.rows, values: counted.values[i]! }));
  }
  return items;
}

/**
 * Published metadata is valid, so every problem in what a purge leaves is a reference to something it
 * would drop. Said in words, with a hint when the dependant is archived too and could go with it.
 */
function dependency(after: MetaDocument, problem: MetadataProblem): string {
  const [, o, part, i = '', ...rest] = problem.path.split('.');
  const object = after.objects[Number(o)]!;
  if (part === 'fields') {
    const field = object.fields[Number(i)]!;
    const who = `${object.name}.${field.name}${object.archived ? ` (its object is archived: purge ${object.name} too)` : field.archived ? ' (archived: purge it too)' : ''}`;
    if (field.type === 'lookup') return `${who} is a lookup to ${field.target}.`;
    if (field.type === 'rollup') return `${who} rolls up ${field.source} through ${field.via}${field.field ? ` (${field.field})` : ''}.`;
  }
  if (part === 'recordName') return `${object.name} names its records by ${object.recordName}.`;
  if (part === 'layouts') {
    const layout = object.layouts[Number(i)]!;
    return `Layout ${layout.name} of ${object.name} shows ${layout.sections[Number(rest[1])]!.fields[Number(rest[3])]}.`;
  }
  if (part === 'listViews' && rest[0] === 'columns') {
    const view = object.listViews[Number(i)]!;
    return `List view ${view.name} of ${object.name} shows ${view.columns[Number(rest[1])]}.`;
  }
  return `${object.name}: ${problem.code} at ${problem.path}.`;
}
