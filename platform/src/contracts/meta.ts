import { z } from 'zod';
import { ApiName, LocalisedText } from './api-names.ts';
import { text } from './common.ts';
import { FlowDefinition } from './flow-definitions.ts';
import { ScriptDefinition } from './script-definitions.ts';

export { ApiName, LocalisedText } from './api-names.ts';

export const FIELD_TYPES = [
  'text',
  'long_text',
  'rich_text',
  'integer',
  'decimal',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'single_select',
  'multi_select',
  'email',
  'phone',
  'url',
  'user',
  'department',
  'lookup',
  'attachments',
  'auto_number',
  'formula',
  'rollup',
] as const;
export const FieldType = z.enum(FIELD_TYPES).meta({ id: 'FieldType' });
export type FieldType = z.infer<typeof FieldType>;

export const SelectOption = z
  .object({ key: ApiName, label: LocalisedText, color: z.string().regex(/^#[0-9a-fA-F]{6}$/) })
  .meta({ id: 'SelectOption' });

const numeric = { precision: z.number().int().min(1).max(38), scale: z.number().int().min(0).max(18) };

const base = {
  name: ApiName,
  label: LocalisedText,
  description: text(1000).optional(),
  required: z.boolean().default(false),
  unique: z.boolean().default(false),
  tracked: z.boolean().default(false),
  archived: z.boolean().default(false),
};

/** One field of an object: common settings plus the options of its type. */
export const FieldDefinition = z
  .discriminatedUnion('type', [
    z.object({ ...base, type: z.literal('text'), maxLength: z.number().int().min(1).max(10_000).default(255), pattern: text(500).optional() }),
    z.object({ ...base, type: z.literal('long_text'), maxLength: z.number().int().min(1).max(1_000_000).default(100_000) }),
    z.object({ ...base, type: z.literal('rich_text') }),
    z.object({ ...base, type: z.literal('integer'), min: z.number().int().optional(), max: z.number().int().optional() }),
    z.object({ ...base, type: z.literal('decimal'), ...numeric }),
    z.object({ ...base, type: z.literal('currency'), ...numeric, defaultCurrency: z.string().regex(/^[A-Z]{3}$/).default('CNY') }),
    z.object({ ...base, type: z.literal('percent'), ...numeric }),
    z.object({ ...base, type: z.literal('boolean') }),
    z.object({ ...base, type: z.literal('date') }),
    z.object({ ...base, type: z.literal('datetime') }),
    z.object({ ...base, type: z.literal('single_select'), options: z.array(SelectOption).min(1).max(500) }),
    z.object({ ...base, type: z.literal('multi_select'), options: z.array(SelectOption).min(1).max(500) }),
    z.object({ ...base, type: z.literal('email') }),
    z.object({ ...base, type: z.literal('phone') }),
    z.object({ ...base, type: z.literal('url') }),
    z.object({ ...base, type: z.literal('user') }),
    z.object({ ...base, type: z.literal('department') }),
    z.object({ ...base, type: z.literal('lookup'), target: ApiName, onDelete: z.enum(['restrict', 'set_null', 'cascade']).default('restrict') }),
    z.object({ ...base, type: z.literal('attachments'), multiple: z.boolean().default(true) }),
    z.object({ ...base, type: z.literal('auto_number'), prefix: text(20).default(''), digits: z.number().int().min(1).max(12).default(6) }),
    z.object({ ...base, type: z.literal('formula'), expression: text(2000, 1), resultType: z.enum(['text', 'decimal', 'boolean', 'date']) }),
    z.object({
      ...base,
      type: z.literal('rollup'),
      source: ApiName.meta({ description: 'The related object whose records are aggregated.' }),
      via: ApiName.meta({ description: 'The lookup field on the related object that points here.' }),
      fn: z.enum(['count', 'sum', 'min', 'max']),
      field: ApiName.optional().meta({ description: 'The aggregated field (not for count).' }),
    }),
  ])
  .meta({ id: 'FieldDefinition' });
export type FieldDefinition = z.infer<typeof FieldDefinition>;

/** How a record page lays out fields: sections of one or two columns (tabs come with the designer). */
export const Layout = z
  .object({
    name: ApiName,
    label: LocalisedText,
    sections: z
      .array(z.object({ label: LocalisedText, columns: z.union([z.literal(1), z.literal(2)]).default(2), fields: z.array(ApiName).max(200) }))
      .max(50),
  })
  .meta({ id: 'Layout' });
export type Layout = z.infer<typeof Layout>;

/** A saved list: its columns, sort and filter (the same filter tree and sort syntax as the records API). */
export const ListView = z
  .object({
    name: ApiName,
    label: LocalisedText,
    columns: z.array(ApiName).min(1).max(50),
    sort: text(500).default(''),
    filter: z.unknown().optional(),
    pageSize: z.number().int().min(1).max(200).default(50),
  })
  .meta({ id: 'ListView' });
export type ListView = z.infer<typeof ListView>;

export const ObjectDefinition = z
  .object({
    name: ApiName,
    label: LocalisedText,
    pluralLabel: LocalisedText,
    icon: text(50).default('document'),
    description: text(1000).optional(),
    recordName: ApiName.meta({ description: 'The field shown as the record\'s name.' }),
    archived: z.boolean().default(false),
    fields: z.array(FieldDefinition).min(1).max(500),
    layouts: z.array(Layout).max(20).default([]),
    listViews: z.array(ListView).max(100).default([]),
  })
  .meta({ id: 'ObjectDefinition' });
export type ObjectDefinition = z.infer<typeof ObjectDefinition>;

/**
 * An app: a named group of objects people switch between in the launcher, like Salesforce's Lightning
 * apps. `objects` is its navigation, in order; an object archived later is hidden from it, not removed.
 */
export const AppDefinition = z
  .object({
    name: ApiName,
    label: LocalisedText,
    description: LocalisedText.optional(),
    icon: text(50).default('grid').meta({ description: 'An icon name, like an object\'s (`briefcase`, `user`, `tickets`…); the apps show the label\'s first letter for a name they do not know.' }),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
    objects: z.array(ApiName).max(50).meta({ description: 'The objects of the app, in the order of its navigation.' }),
    archived: z.boolean().default(false),
  })
  .meta({ id: 'AppDefinition' });
export type AppDefinition = z.infer<typeof AppDefinition>;

/** A workspace's whole metadata: what a version stores, what export and import move. */
export const MetaDocument = z
  .object({
    objects: z.array(ObjectDefinition).max(1000),
    scripts: z.array(ScriptDefinition).max(500).optional(),
    flows: z.array(FlowDefinition).max(500).optional(),
    apps: z.array(AppDefinition).max(100).optional(),
  })
  .meta({ id: 'MetaDocument' });
export type MetaDocument = z.infer<typeof MetaDocument>;

/** One line of a readable diff between two metadata documents. */
export const MetaChange = z
  .object({
    op: z.enum([
      'add_object',
      'change_object',
      'archive_object',
      'restore_object',
      'add_field',
      'change_field',
      'archive_field',
      'restore_field',
      'add_script',
      'change_script',
      'archive_script',
      'restore_script',
      'add_flow',
      'change_flow',
      'archive_flow',
      'restore_flow',
      'add_app',
      'change_app',
      'archive_app',
      'restore_app',
    ]),
    object: z.string().nullable().meta({ description: "The object changed; for a script, the object it runs on; for a flow, its trigger's object (null when none)." }),
    script: z.string().optional().meta({ description: 'The script changed, for *_script operations.' }),
    flow: z.string().optional().meta({ description: 'The flow changed, for *_flow operations.' }),
    app: z.string().optional().meta({ description: 'The app changed, for *_app operations (their `object` is null).' }),
    sourceDiff: z.string().optional().meta({ description: "A unified diff of the script's source, when change_script changed it." }),
    field: z.string().nullable(),
    changed: z.array(z.string()).meta({
      description: 'The settings that differ, for change_* operations; for change_flow also its nodes: `nodes:+id` added, `nodes:~id` changed, `nodes:-id` removed.',
    }),
  })
  .meta({ id: 'MetaChange' });
export type MetaChange = z.infer<typeof MetaChange>;

export const MetaChanges = z
  .object({ baseVersion: z.number().int(), hasDraft: z.boolean(), changes: z.array(MetaChange) })
  .meta({ id: 'MetaChanges' });
export type MetaChanges = z.infer<typeof MetaChanges>;

export const MetaVersion = z
  .object({
    version: z.number().int(),
    publishedAt: z.string(),
    publishedBy: z.string().nullable(),
    note: z.string().nullable(),
    changes: z.array(MetaChange),
  })
  .meta({ id: 'MetaVersion' });
export type MetaVersion = z.infer<typeof MetaVersion>;

export const MetaVersionList = z.object({ items: z.array(MetaVersion) }).meta({ id: 'MetaVersionList' });
export const PublishRequest = z.object({ note: text(500).optional() }).strict().meta({ id: 'PublishRequest' });
export const MetaExport = z
  .object({ format: z.literal('threadbase-meta/1'), version: z.number().int(), document: MetaDocument })
  .meta({ id: 'MetaExport' });
export type MetaExport = z.infer<typeof MetaExport>;
export const MetaImportRequest = z
  .object({ document: MetaDocument, dryRun: z.boolean().default(true), note: text(500).optional() })
  .strict()
  .meta({ id: 'MetaImportRequest' });
export const MetaImportResult = z
  .object({ dryRun: z.boolean(), version: z.number().int().nullable(), changes: z.array(MetaChange) })
  .meta({ id: 'MetaImportResult' });
export type MetaImportResult = z.infer<typeof MetaImportResult>;
