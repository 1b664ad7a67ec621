import type { FieldDefinition, MetaChange, MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import { canonicalJson } from '../core/canonical-json.ts';

/**
 * Nothing disappears from metadata: an object or field left out of a new document is carried over,
 * archived, so its data stays reachable and a later version can restore it.
 */
export function keepingArchived(published: MetaDocument | null, next: MetaDocument): MetaDocument {
  if (!published) return next;
  const objects = next.objects.map((object) => {
    const before = published.objects.find((o) => o.name === object.name);
    const leftOver = (before?.fields ?? []).filter((f) => !object.fields.some((n) => n.name === f.name)).map((f) => ({ ...f, archived: true }));
    return leftOver.length ? { ...object, fields: [...object.fields, ...leftOver] } : object;
  });
  const leftOverObjects = published.objects.filter((o) => !next.objects.some((n) => n.name === o.name)).map((o) => ({ ...o, archived: true }));
  return { objects: [...objects, ...leftOverObjects] };
}

function changedKeys<T extends object>(before: T, after: T, ignore: string[]): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => !ignore.includes(k))
    .filter((k) => canonicalJson((before as Record<string, unknown>)[k]) !== canonicalJson((after as Record<string, unknown>)[k]))
    .sort();
}

function archiveChange(object: string, field: string | null, before: boolean, after: boolean, kind: 'object' | 'field'): MetaChange[] {
  if (before === after) return [];
  return [{ op: after ? `archive_${kind}` : `restore_${kind}`, object, field, changed: [] }];
}

function fieldChanges(object: string, before: FieldDefinition | undefined, after: FieldDefinition): MetaChange[] {
  if (!before) return [{ op: 'add_field', object, field: after.name, changed: [] }];
  const changed = changedKeys(before, after, ['archived']);
  return [
    ...archiveChange(object, after.name, before.archived, after.archived, 'field'),
    ...(changed.length ? [{ op: 'change_field' as const, object, field: after.name, changed }] : []),
  ];
}

function objectChanges(before: ObjectDefinition | undefined, after: ObjectDefinition): MetaChange[] {
  if (!before) return [{ op: 'add_object', object: after.name, field: null, changed: [] }];
  const changed = changedKeys(before, after, ['archived', 'fields']);
  return [
    ...archiveChange(after.name, null, before.archived, after.archived, 'object'),
    ...(changed.length ? [{ op: 'change_object' as const, object: after.name, field: null, changed }] : []),
    ...after.fields.flatMap((f) => fieldChanges(after.name, before.fields.find((b) => b.name === f.name), f)),
  ];
}

/** A readable list of what `next` changes against `published`, for review before publishing. */
export function describeChanges(published: MetaDocument | null, next: MetaDocument): MetaChange[] {
  return next.objects.flatMap((o) => objectChanges(published?.objects.find((p) => p.name === o.name), o));
}
