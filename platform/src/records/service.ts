import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { accessTo, assertCanCreate, assertVisible, assertWritable, forgetShares, type ObjectAccess } from '../access/index.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { isUuid } from '../core/references.ts';
import { jsonb } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import { publishedObject, publishedObjects } from '../meta/index.ts';
import { addFollowers, closeRecordThread, openRecordThread, postRecordChanges } from '../threads/index.ts';
import { expandedOf, expandNames, parseExpand, withExpansions, type Expansion } from './expand.ts';
import { dataDb, liveCodecs, recordSelection, toRecord, type RecordOut } from './record-shape.ts';
import { afterDelete, afterSave, beforeSave } from './save-hooks.ts';

type Mode = 'create' | 'update';
type Parsed = { columns: Record<string, unknown>; values: Record<string, unknown>; owner?: string; version?: number };


/** Checks a written record against the published fields: unknown, read-only, missing and invalid values, all at once. */
function parseInput(object: ObjectDefinition, input: Record<string, unknown>, mode: Mode): Parsed {
  const codecs = liveCodecs(object);
  const unknown: string[] = [];
  const readOnly: string[] = [];
  const invalid: { field: string; message: string }[] = [];
  const parsed: Parsed = { columns: {}, values: {} };
  for (const [key, value] of Object.entries(input)) {
    if (key === 'owner' && (value === null || isUuid(value))) parsed.owner = (value as string | null) ?? undefined;
    else if (key === 'version' && mode === 'update' && Number.isInteger(value)) parsed.version = value as number;
    else if (!codecs.has(key)) unknown.push(key);
    else if (!codecs.get(key)!.input) readOnly.push(key);
    else if (value === null) {
      if (codecs.get(key)!.field.required) invalid.push({ field: key, message: 'required' });
      else {
        Object.assign(parsed.columns, codecs.get(key)!.toColumns(null));
        parsed.values[key] = null;
      }
    } else {
      const result = codecs.get(key)!.input!.safeParse(value);
      if (!result.success) invalid.push({ field: key, message: result.error.issues[0]?.message ?? 'invalid' });
      else {
        Object.assign(parsed.columns, codecs.get(key)!.toColumns(result.data));
        parsed.values[key] = value;
      }
    }
  }
  if (mode === 'create') {
    for (const [name, codec] of codecs) if (codec.field.required && codec.input && input[name] === undefined) invalid.push({ field: name, message: 'required' });
  }
  if (unknown.length) throw new AppError('UNKNOWN_FIELD', 400, { params: { object: object.name, fields: unknown.slice(0, 10).join(', ') }, details: { fields: unknown } });
  if (readOnly.length) throw new AppError('READ_ONLY_FIELD', 400, { params: { fields: readOnly.join(', ') }, details: { fields: readOnly } });
  if (invalid.length) throw new AppError('INVALID_FIELD_VALUE', 400, { params: { fields: invalid.map((i) => i.field).join(', ') }, details: { fields: invalid } });
  return parsed;
}

/** Constraint errors of a write, named by field where the constraint tells which. */
function translateWriteError(object: ObjectDefinition, error: unknown, deleting = false): never {
  const code = (error as { code?: string }).code;
  if (deleting && (code === '23503' || code === '23001')) throw new AppError('RECORD_IN_USE', 409);
  if (code === '23503') {
    const field = object.fields.find((f) => (error as { detail?: string }).detail?.includes(`(${f.name})`))?.name ?? '';
    throw new AppError('REFERENCE_NOT_FOUND', 422, { params: { field }, details: { field } });
  }
  if (code === '23505') throw new AppError('UNIQUE_VALUE_TAKEN', 409);
  throw error;
}

type ReadOptions = { lock?: boolean; expansions?: Expansion[]; access?: ObjectAccess };

/**
 * One record, only if the user may read it (with `access`), and whether she may change or delete it:
 * the same predicates lists use, answered in the same query.
 */
async function readRow(ctx: Ctx, object: ObjectDefinition, id: string, options: ReadOptions = {}) {
  let query = withExpansions(ctx, dataDb(ctx).selectFrom(`${object.name} as t`).select(recordSelection(ctx, object)).where('t.id', '=', id), options.expansions ?? []);
  const access = options.access;
  if (access) {
    if (!access.canRead) return undefined;
    if (access.read) query = query.where(access.read);
    query = query.select([sql<boolean>`${access.edit ?? sql`true`}`.as('_can_edit'), sql<boolean>`${access.delete ?? sql`true`}`.as('_can_delete')]);
  }
  if (options.lock) query = query.forUpdate();
  return (await query.executeTakeFirst()) as (Record<string, unknown> & { _can_edit?: boolean; _can_delete?: boolean }) | undefined;
}

export async function getRecord(ctx: Ctx, objectName: string, id: string, expand?: string): Promise<RecordOut> {
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  const object = access.view;
  assertVisible(access, expandNames(expand, object));
  const expansions = await parseExpand(ctx, object, (await publishedObjects(ctx)).objects, expand);
  const row = await readRow(ctx, object, id, { expansions, access });
  if (!row) throw new AppError('RECORD_NOT_FOUND', 404);
  return expansions.length ? { ...toRecord(object, row), _expanded: expandedOf(row, expansions) } : toRecord(object, row);
}

/** Records tracked changes (history rows and one message in the record's thread); answers every changed field. */
async function writeHistory(ctx: Ctx, object: ObjectDefinition, id: string, before: RecordOut | null, after: RecordOut): Promise<string[]> {
  const changed = object.fields
    .filter((f) => !f.archived && f.type !== 'formula' && f.type !== 'rollup')
    .filter((f) => JSON.stringify(before?.[f.name] ?? null) !== JSON.stringify(after[f.name] ?? null))
    .map((f) => f.name);
  const tracked = object.fields.filter((f) => f.tracked && changed.includes(f.name)).map((f) => ({ field: f.name, old: before?.[f.name] ?? null, new: after[f.name] ?? null }));
  if (tracked.length > 0) {
    await ctx.db
      .insertInto('record_history')
      .values(tracked.map((c) => ({ object: object.name, record_id: id, field: c.field, old_value: jsonb(c.old), new_value: jsonb(c.new), changed_by: actorId(ctx) })))
      .execute();
    if (before) await postRecordChanges(ctx, object.name, id, tracked, actorId(ctx));
  }
  return changed;
}

/** The owner and the people in user fields: they follow the record's thread. */
const followersOf = (object: ObjectDefinition, record: RecordOut) => [record.owner, ...object.fields.filter((f) => f.type === 'user' && !f.archived).map((f) => record[f.name])];

/** Which fields a write names, for the access check before any value is looked at. */
const writtenFields = (input: Record<string, unknown>) => Object.keys(input).filter((k) => k !== 'owner' && k !== 'version');

/** Giving a record to someone else is for its owner and for whoever may modify all records of the object. */
function assertMayTransfer(access: ObjectAccess, ctx: Ctx, currentOwner: unknown): void {
  if (access.effective.modifyAll || currentOwner === actorId(ctx)) return;
  throw new AppError('OWNER_CHANGE_FORBIDDEN', 403, { params: { object: access.object.name } });
}

export async function createRecord(ctx: Ctx, objectName: string, input: Record<string, unknown>): Promise<RecordOut> {
  const object = await publishedObject(ctx, objectName);
  const access = await accessTo(ctx, object);
  assertCanCreate(access);
  assertWritable(access, writtenFields(input));
  let parsed = parseInput(object, input, 'create');
  if (parsed.owner && parsed.owner !== actorId(ctx)) assertMayTransfer(access, ctx, null);
  const id = uuidv7();
  return inTransaction(ctx, async (tx) => {
    const actor = actorId(tx);
    const extra = await beforeSave(tx, { object, mode: 'create', id: null, proposed: { ...input, owner: parsed.owner ?? actor }, changed: Object.keys(input) });
    // What a save script sets is the admin's doing: checked as values, not against the user's field access.
    if (extra) parsed = parseInput(object, { ...input, ...extra }, 'create');
    await dataDb(tx)
      .insertInto(object.name)
      .values({ id, ...parsed.columns, created_by: actor, updated_by: actor, owner: parsed.owner ?? actor })
      .execute()
      .catch((e: unknown) => translateWriteError(object, e));
    const row = (await readRow(tx, object, id))!;
    const record = toRecord(object, row);
    await openRecordThread(tx, object.name, id, actor, followersOf(object, record));
    const changed = await writeHistory(tx, object, id, null, record);
    await publishEvent(tx, { aggregateType: 'record', aggregateId: `${object.name}:${id}`, type: 'record.created', payload: { object: object.name, id, version: 1, changed } });
    const seen = toRecord(access.view, row);
    await afterSave(tx, { object, mode: 'create', id, record: seen, stored: record, changed });
    return seen;
  });
}

/** A PATCH may carry the `version` it was based on; a stale one is refused instead of overwriting someone's change. */
export async function updateRecord(ctx: Ctx, objectName: string, id: string, input: Record<string, unknown>): Promise<RecordOut> {
  const object = await publishedObject(ctx, objectName);
  const access = await accessTo(ctx, object);
  let parsed = parseInput(object, input, 'update');
  return inTransaction(ctx, async (tx) => {
    const row = await readRow(tx, object, id, { lock: true, access });
    if (!row) throw new AppError('RECORD_NOT_FOUND', 404);
    if (!row._can_edit) throw new AppError('RECORD_ACCESS_DENIED', 403);
    assertWritable(access, writtenFields(input));
    const before = toRecord(object, row);
    if (parsed.owner && parsed.owner !== before.owner) assertMayTransfer(access, tx, before.owner);
    if (parsed.version !== undefined && parsed.version !== before.version) {
      throw new AppError('VERSION_CONFLICT', 409, { params: { current: before.version }, details: { current: before.version } });
    }
    const extra = await beforeSave(tx, { object, mode: 'update', id, proposed: { ...toRecord(access.view, row), ...input }, changed: writtenFields(input) });
    if (extra) parsed = parseInput(object, { ...input, ...extra }, 'update');
    await dataDb(tx)
      .updateTable(object.name)
      .set({ ...parsed.columns, ...(parsed.owner && { owner: parsed.owner }), updated_at: sql`now()`, updated_by: actorId(tx), version: sql`version + 1` })
      .where('id', '=', id)
      .execute()
      .catch((e: unknown) => translateWriteError(object, e));
    const afterRow = (await readRow(tx, object, id))!;
    const after = toRecord(object, afterRow);
    const changed = await writeHistory(tx, object, id, before, after);
    if (changed.length || after.owner !== before.owner) await addFollowers(tx, object.name, id, followersOf(object, after));
    await publishEvent(tx, { aggregateType: 'record', aggregateId: `${object.name}:${id}`, type: 'record.updated', payload: { object: object.name, id, version: after.version, changed } });
    const seen = toRecord(access.view, afterRow);
    await afterSave(tx, { object, mode: 'update', id, record: seen, stored: after, changed });
    return seen;
  });
}

export async function deleteRecord(ctx: Ctx, objectName: string, id: string): Promise<void> {
  const object = await publishedObject(ctx, objectName);
  const access = await accessTo(ctx, object);
  await inTransaction(ctx, async (tx) => {
    const row = await readRow(tx, object, id, { lock: true, access });
    if (!row) throw new AppError('RECORD_NOT_FOUND', 404);
    if (!row._can_delete) throw new AppError('RECORD_ACCESS_DENIED', 403);
    await dataDb(tx)
      .deleteFrom(object.name)
      .where('id', '=', id)
      .execute()
      .catch((e: unknown) => translateWriteError(object, e, true));
    await forgetShares(tx, object.name, id);
    await closeRecordThread(tx, object.name, id);
    await afterDelete(tx, { object, id, stored: toRecord(object, row) });
    await publishEvent(tx, { aggregateType: 'record', aggregateId: `${object.name}:${id}`, type: 'record.deleted', payload: { object: object.name, id } });
  });
}

/** The tracked changes of a record the user may read, without the fields she may not see. */
export async function recordHistory(ctx: Ctx, objectName: string, id: string) {
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  if (!(await readRow(ctx, access.view, id, { access }))) throw new AppError('RECORD_NOT_FOUND', 404);
  let query = ctx.db.selectFrom('record_history').selectAll().where('object', '=', access.object.name).where('record_id', '=', id);
  if (access.hidden.size) query = query.where('field', 'not in', [...access.hidden]);
  const rows = await query.orderBy('id', 'desc').limit(500).execute();
  return rows.map((r) => ({ field: r.field, old: r.old_value as unknown, new: r.new_value as unknown, changedBy: r.changed_by, changedAt: new Date(r.changed_at).toISOString() }));
}
