import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiName, FIELD_TYPES, MetaDocument, type FieldDefinition } from '../contracts/meta.ts';
import type { AppError } from '../core/app-error.ts';
import { startTestPlatform, type TestPlatform } from '../testing/index.ts';
import { applySchemaActions, assertValidMetadata, metadataProblems, planSchemaChanges } from './index.ts';
import { label, option } from '../testing/meta-builders.ts';

let t: TestPlatform;
let schemas: { system: string; data: string };

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  schemas = t.platform.workspaces.list()[0]!.schemas;
});
afterAll(() => t.close());


/** A whole document through the contract, so defaults apply as they will from the API. */
function doc(...objects: { name: string; fields: Record<string, unknown>[]; recordName?: string }[]): MetaDocument {
  return MetaDocument.parse({
    objects: objects.map((o) => ({
      name: o.name,
      label: label(o.name),
      pluralLabel: label(`${o.name}s`),
      recordName: o.recordName ?? 'title',
      fields: [{ name: 'title', type: 'text', label: label('Title') }, ...o.fields.map((f) => ({ label: label(String(f.name)), ...f }))],
    })),
  });
}

let published: MetaDocument | null = null;

/** Plans and applies like a publish: one transaction, all or nothing. */
async function publish(next: MetaDocument): Promise<void> {
  assertValidMetadata(next);
  const actions = planSchemaChanges(published, next);
  await t.platform.db.kysely.transaction().execute((db) => applySchemaActions({ db, schemas }, actions));
  published = next;
}

async function refusal(next: MetaDocument): Promise<AppError> {
  const error = await publish(next).then(
    () => null,
    (e: unknown) => e as AppError,
  );
  if (!error) throw new Error('publish was expected to be refused');
  return error;
}

const table = (name: string) => sql.table(`${schemas.data}.${name}`);
async function columns(name: string): Promise<Record<string, string>> {
  const rows = await sql<{ column_name: string; t: string }>`
    select a.attname as column_name, format_type(a.atttypid, a.atttypmod) as t
    from pg_attribute a where a.attrelid = ${`${schemas.data}.${name}`}::regclass and a.attnum > 0 and not a.attisdropped`.execute(t.platform.db.kysely);
  return Object.fromEntries(rows.rows.map((r) => [r.column_name, r.t]));
}
async function insert(name: string, values: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  await t.platform.db.kysely.withSchema(schemas.data).insertInto(name).values({ id, ...values }).execute();
  return id;
}

const everyType: Record<string, unknown>[] = [
  { name: 'notes', type: 'long_text' },
  { name: 'body', type: 'rich_text' },
  { name: 'quantity', type: 'integer', min: 0 },
  { name: 'weight', type: 'decimal', precision: 10, scale: 3 },
  { name: 'amount', type: 'currency', precision: 14, scale: 2 },
  { name: 'probability', type: 'percent', precision: 5, scale: 4 },
  { name: 'won', type: 'boolean' },
  { name: 'close_date', type: 'date' },
  { name: 'closed_at', type: 'datetime' },
  { name: 'stage', type: 'single_select', options: [option('new'), option('won')] },
  { name: 'tags', type: 'multi_select', options: [option('vip')] },
  { name: 'email', type: 'email' },
  { name: 'phone', type: 'phone' },
  { name: 'website', type: 'url' },
  { name: 'assignee', type: 'user' },
  { name: 'team', type: 'department' },
  { name: 'account', type: 'lookup', target: 'account', onDelete: 'cascade' },
  { name: 'files', type: 'attachments' },
  { name: 'number', type: 'auto_number', prefix: 'OPP-' },
  { name: 'weighted', type: 'formula', expression: 'amount * probability', resultType: 'decimal' },
];

describe('publishing objects as tables', () => {
  it('gives every object a table with the system columns and one typed column per stored field', async () => {
    const account = { name: 'account', fields: [{ name: 'open_deals', type: 'rollup', source: 'opportunity', via: 'account', fn: 'count' }] };
    await publish(doc(account, { name: 'opportunity', fields: everyType }));
    expect(await columns('opportunity')).toEqual({
      id: 'uuid', created_at: 'timestamp with time zone', created_by: 'uuid', updated_at: 'timestamp with time zone',
      updated_by: 'uuid', owner: 'uuid', version: 'integer', title: 'text', notes: 'text', body: 'text', quantity: 'bigint',
      weight: 'numeric(10,3)', amount: 'numeric(14,2)', amount__currency: 'text', probability: 'numeric(5,4)', won: 'boolean',
      close_date: 'date', closed_at: 'timestamp with time zone', stage: 'text', tags: 'jsonb', email: 'text', phone: 'text',
      website: 'text', assignee: 'uuid', team: 'uuid', account: 'uuid', files: 'jsonb', number: 'bigint',
    });
    expect(Object.keys(await columns('account'))).not.toContain('open_deals');
    expect(new Set(FIELD_TYPES)).toEqual(new Set(['text', 'rollup', ...everyType.map((f) => f.type)]));
  });

  it('adds fields online, numbering existing rows of a new auto-number', async () => {
    const a = await insert('account', { title: 'Acme' });
    const b = await insert('account', { title: 'Globex' });
    const next = structuredClone(published!);
    next.objects[0]!.fields.push(...doc({ name: 'x', fields: [{ name: 'code', type: 'auto_number' }, { name: 'region', type: 'text' }] }).objects[0]!.fields.slice(1));
    await publish(next);
    const rows = await sql<{ id: string; code: number | string }>`select id, code from ${table('account')} order by code`.execute(t.platform.db.kysely);
    expect(rows.rows.map((r) => r.id).sort()).toEqual([a, b].sort());
    expect(rows.rows.every((r) => Number(r.code) > 0)).toBe(true);
  });

  it('follows each lookup\'s delete rule, and replaces it when the rule changes', async () => {
    const account = await insert('account', { title: 'Initech' });
    await insert('opportunity', { title: 'Deal', account });
    await sql`delete from ${table('account')} where id = ${account}`.execute(t.platform.db.kysely);
    expect((await sql`select 1 from ${table('opportunity')} where title = 'Deal'`.execute(t.platform.db.kysely)).rows).toEqual([]);
    const next = structuredClone(published!);
    const lookup = next.objects[1]!.fields.find((f) => f.name === 'account') as Extract<FieldDefinition, { type: 'lookup' }>;
    lookup.onDelete = 'restrict';
    await publish(next);
    const kept = await insert('account', { title: 'Umbrella' });
    await insert('opportunity', { title: 'Kept', account: kept });
    const refused = await sql`delete from ${table('account')} where id = ${kept}`.execute(t.platform.db.kysely).catch((e: { code: string }) => e);
    // PostgreSQL 15 reports a RESTRICT violation as 23503, PGlite's PostgreSQL 17 as 23001.
    expect(['23001', '23503']).toContain((refused as { code: string }).code);
  });

  it('never drops a field or an object that left the draft', async () => {
    const next = structuredClone(published!);
    next.objects[1]!.fields = next.objects[1]!.fields.filter((f) => f.name !== 'notes');
    next.objects.pop();
    expect(planSchemaChanges(published, next)).toEqual([]);
    expect(Object.keys(await columns('opportunity'))).toContain('notes');
  });
});

describe('type changes', () => {
  const change = (object: number, fieldName: string, patch: Record<string, unknown>) => {
    const next = structuredClone(published!);
    const fields = next.objects[object]!.fields;
    const i = fields.findIndex((f) => f.name === fieldName);
    fields[i] = MetaDocument.shape.objects.element.shape.fields.element.parse({ ...fields[i], ...patch });
    return next;
  };

  it('refuse a conversion that would lose data, naming the rows, and change nothing', async () => {
    const bad = await insert('account', { title: 'Text region', region: 'north' });
    await insert('account', { title: 'Numeric region', region: ' 42 ' });
    const error = await refusal(change(0, 'region', { type: 'integer' }));
    expect(error.code).toBe('TYPE_CHANGE_LOSES_DATA');
    expect(error.details.rows).toEqual([bad]);
    expect((await columns('account')).region).toBe('text');
    await sql`update ${table('account')} set region = '7' where id = ${bad}`.execute(t.platform.db.kysely);
    await publish(change(0, 'region', { type: 'integer' }));
    expect((await columns('account')).region).toBe('bigint');
    const values = await sql<{ region: string | number }>`select region from ${table('account')} where region is not null order by region`.execute(t.platform.db.kysely);
    expect(values.rows.map((r) => Number(r.region))).toEqual([7, 42]);
  });

  it('check precision, time of day and select options', async () => {
    await insert('opportunity', { title: 'Big', quantity: 123456, closed_at: new Date('2026-01-02T10:30:00Z'), stage: 'won' });
    expect((await refusal(change(1, 'quantity', { type: 'decimal', precision: 5, scale: 2 }))).code).toBe('TYPE_CHANGE_LOSES_DATA');
    expect((await refusal(change(1, 'closed_at', { type: 'date' }))).code).toBe('TYPE_CHANGE_LOSES_DATA');
    expect((await refusal(change(1, 'stage', { options: [option('new')] }))).code).toBe('TYPE_CHANGE_LOSES_DATA');
    expect(planSchemaChanges(published, change(1, 'stage', { options: [option('new'), { ...option('won'), label: label('Closed won') }] }))).toEqual([]);
  });

  it('refuse pairs that cannot convert before running any statement', async () => {
    const error = await refusal(change(1, 'won', { type: 'date' }));
    expect(error).toMatchObject({ code: 'TYPE_CHANGE_NOT_SUPPORTED', params: { from: 'boolean', to: 'date' } });
  });

  it('a unique rule on duplicate data is refused and the whole publish rolls back', async () => {
    await insert('opportunity', { title: 'Same' });
    await insert('opportunity', { title: 'Same' });
    const next = change(1, 'title', { unique: true });
    next.objects[1]!.fields.push(MetaDocument.shape.objects.element.shape.fields.element.parse({ name: 'added_first', type: 'text', label: label('x') }));
    next.objects[1]!.fields.reverse();
    const error = await refusal(next);
    expect(error).toMatchObject({ code: 'UNIQUE_VIOLATED_BY_DATA', details: { values: ['Same'] } });
    expect(Object.keys(await columns('opportunity'))).not.toContain('added_first');
  });
});

describe('metadata that is refused before any DDL', () => {
  it('identifier injection and malformed names fail the contract', () => {
    for (const bad of ['a"; drop table users; --', 'Account', '1st', 'a__b', 'trailing_', 'x'.repeat(51), 'naïve']) {
      expect(ApiName.safeParse(bad).success).toBe(false);
    }
  });

  it('reserved words, system columns, duplicates and dangling references are listed with their paths', () => {
    const problems = metadataProblems(
      doc(
        { name: 'select', fields: [{ name: 'id', type: 'text' }, { name: 'xmin', type: 'integer' }] },
        { name: 'deal', fields: [{ name: 'title', type: 'text' }, { name: 'customer', type: 'lookup', target: 'nowhere' }] },
        { name: 'deal', fields: [{ name: 'n', type: 'rollup', source: 'deal', via: 'title', fn: 'sum', field: 'title' }], recordName: 'n' },
      ),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'objects.0.name', code: 'RESERVED_WORD' },
        { path: 'objects.0.fields.1.name', code: 'SYSTEM_COLUMN' },
        { path: 'objects.0.fields.2.name', code: 'SYSTEM_COLUMN' },
        { path: 'objects.1.fields.1.name', code: 'DUPLICATE_NAME' },
        { path: 'objects.1.fields.2.target', code: 'UNKNOWN_OBJECT' },
        { path: 'objects.2.name', code: 'DUPLICATE_NAME' },
        { path: 'objects.2.recordName', code: 'INVALID_RECORD_NAME' },
        { path: 'objects.2.fields.1.via', code: 'NOT_A_LOOKUP_HERE' },
        { path: 'objects.2.fields.1.field', code: 'NOT_NUMERIC' },
      ]),
    );
  });
});

