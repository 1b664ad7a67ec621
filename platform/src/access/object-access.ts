import type { RawBuilder } from 'kysely';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import { publishedObjects } from '../meta/index.ts';
import { effectiveFor, fullAccess, type Effective } from './effective.ts';
import { accessModel } from './model.ts';
import { ADMIN_PARTS, accessParts, predicateFor, type Part } from './predicates.ts';

/** Everything the records layer needs to know about one user and one object. */
export type ObjectAccess = {
  object: ObjectDefinition;
  /** The object as this user may see it: hidden fields left out, so select lists, filters and sorts never name them. */
  view: ObjectDefinition;
  effective: Effective;
  parts: Part[];
  /** Filters over the record alias `t`: null when every record qualifies. */
  read: RawBuilder<boolean> | null;
  edit: RawBuilder<boolean> | null;
  delete: RawBuilder<boolean> | null;
  canRead: boolean;
  hidden: ReadonlySet<string>;
};

const unrestricted = new WeakMap<ObjectDefinition, ObjectAccess>();
const views = new WeakMap<ObjectDefinition, Map<string, ObjectDefinition>>();

/** One view definition per set of hidden fields, so the caches keyed by definition (select lists, codecs) keep working. */
function viewOf(object: ObjectDefinition, hidden: Set<string>): ObjectDefinition {
  if (hidden.size === 0) return object;
  const key = [...hidden].sort().join(',');
  let byKey = views.get(object);
  if (!byKey) views.set(object, (byKey = new Map()));
  let view = byKey.get(key);
  if (!view) byKey.set(key, (view = { ...object, fields: object.fields.filter((f) => !hidden.has(f.name)) }));
  return view;
}

function build(object: ObjectDefinition, effective: Effective, parts: Part[]): ObjectAccess {
  const hidden = new Set([...effective.fields].filter(([, level]) => level === 'hidden').map(([name]) => name));
  return {
    object,
    view: viewOf(object, hidden),
    effective,
    parts,
    read: predicateFor(parts, 'read'),
    edit: predicateFor(parts, 'edit'),
    delete: predicateFor(parts, 'delete'),
    canRead: parts.length > 0,
    hidden,
  };
}

/**
 * The access of the acting user to `object`. Administrators and the system get every right without
 * reading the access model; a user's rights are derived once per model and definition, then reused.
 */
export async function accessTo(ctx: Ctx, object: ObjectDefinition): Promise<ObjectAccess> {
  if (ctx.actor.kind !== 'user' || ctx.actor.isAdmin) {
    if (ctx.actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', 401);
    let access = unrestricted.get(object);
    if (!access) unrestricted.set(object, (access = build(object, fullAccess(object), ADMIN_PARTS)));
    return access;
  }
  return accessOfUser(ctx, ctx.actor.userId, object);
}

/** The access of any user (for explanations and for delivering events to her), administrators included. */
export async function accessOfUser(ctx: Ctx, userId: string, object: ObjectDefinition, isAdmin = false): Promise<ObjectAccess> {
  if (isAdmin) return build(object, fullAccess(object), ADMIN_PARTS);
  const model = await accessModel(ctx);
  let byUser = model.memo.get(object) as Map<string, ObjectAccess> | undefined;
  if (!byUser) model.memo.set(object, (byUser = new Map()));
  let access = byUser.get(userId);
  if (!access) {
    const { objects } = await publishedObjects(ctx);
    const effective = effectiveFor(model, userId, object, objects);
    byUser.set(userId, (access = build(object, effective, accessParts(ctx, model, userId, object, effective))));
  }
  return access;
}

export function assertCanRead(access: ObjectAccess): void {
  if (!access.canRead) throw new AppError('OBJECT_ACCESS_DENIED', 403, { params: { object: access.object.name } });
}

export function assertCanCreate(access: ObjectAccess): void {
  if (!access.effective.create) throw new AppError('OBJECT_ACCESS_DENIED', 403, { params: { object: access.object.name } });
}

/** Filtering, sorting, grouping or selecting by a hidden field is refused, not silently ignored. */
export function assertVisible(access: ObjectAccess, names: Iterable<string>): void {
  const hidden = [...new Set(names)].filter((name) => access.hidden.has(name));
  if (hidden.length) throw new AppError('FIELD_HIDDEN', 403, { params: { fields: hidden.join(', ') }, details: { fields: hidden } });
}

/** Fields the user may not change; computed fields are left to the records layer's READ_ONLY_FIELD. */
export function assertWritable(access: ObjectAccess, names: Iterable<string>): void {
  const locked = [...names].filter((name) => {
    const level = access.effective.fields.get(name);
    return level === 'hidden' || (level === 'read' && !['formula', 'rollup', 'auto_number'].includes(access.object.fields.find((f) => f.name === name)!.type));
  });
  if (locked.length) throw new AppError('FIELD_NOT_WRITABLE', 403, { params: { fields: locked.join(', ') }, details: { fields: locked } });
}

/** The field names a filter tree mentions, however deep. */
export function filterFields(tree: unknown): string[] {
  if (tree === null || typeof tree !== 'object') return [];
  if (Array.isArray(tree)) return tree.flatMap(filterFields);
  const node = tree as Record<string, unknown>;
  return [...(typeof node.field === 'string' ? [node.field] : []), ...filterFields(node.and), ...filterFields(node.or), ...filterFields(node.not)];
}
