import { createTwoFilesPatch } from 'diff';
import { triggerObject, type FlowDefinition } from '../contracts/flow-definitions.ts';
import type { AppDefinition, FieldDefinition, MetaChange, MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import type { ScriptDefinition } from '../contracts/script-definitions.ts';
import { canonicalJson } from '../core/canonical-json.ts';

/**
 * Nothing disappears from metadata: an object or field left out of a new document is carried over,
 * archived, so its data stays reachable and a later version can restore it.
 */
export function keepingArchived(published: MetaDocument | null, next: MetaDocument): MetaDocument {
  if (!published) return { ...next, scripts: next.scripts ?? [], flows: next.flows ?? [], apps: next.apps ?? [] };
  const objects = next.objects.map((object) => {
    const before = published.objects.find((o) => o.name === object.name);
    const leftOver = (before?.fields ?? []).filter((f) => !object.fields.some((n) => n.name === f.name)).map((f) => ({ ...f, archived: true }));
    return leftOver.length ? { ...object, fields: [...object.fields, ...leftOver] } : object;
  });
  const leftOverObjects = published.objects.filter((o) => !next.objects.some((n) => n.name === o.name)).map((o) => ({ ...o, archived: true }));
  return {
    objects: [...objects, ...leftOverObjects],
    scripts: keepingArchivedByName(published.scripts ?? [], next.scripts ?? []),
    flows: keepingArchivedByName(published.flows ?? [], next.flows ?? []),
    apps: keepingArchivedByName(published.apps ?? [], next.apps ?? []),
  };
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

/** A script, flow or app left out of a new document is carried over, archived: restoring a version brings it back. */
function keepingArchivedByName<T extends { name: string; archived: boolean }>(published: readonly T[], next: readonly T[]): T[] {
  const leftOver = published.filter((p) => !next.some((n) => n.name === p.name)).map((p) => ({ ...p, archived: true }));
  return [...next, ...leftOver];
}

/** The source as a unified diff, so a reviewer reads what a publish changes in the code, line by line. */
function sourceDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(`${name}.ts`, `${name}.ts`, before, after, 'published', 'draft', { context: 3 });
}

function scriptChange(before: ScriptDefinition | undefined, after: ScriptDefinition): MetaChange[] {
  const object = after.object ?? null;
  if (!before) return [{ op: 'add_script', object, field: null, script: after.name, changed: [] }];
  const changes: MetaChange[] = [];
  if (before.archived !== after.archived) changes.push({ op: after.archived ? 'archive_script' : 'restore_script', object, field: null, script: after.name, changed: [] });
  const changed = changedKeys(before, after, ['archived']);
  if (changed.length) {
    const diff = changed.includes('source') ? { sourceDiff: sourceDiff(after.name, before.source, after.source) } : {};
    changes.push({ op: 'change_script', object, field: null, script: after.name, changed, ...diff });
  }
  return changes;
}

function scriptChanges(published: readonly ScriptDefinition[], next: readonly ScriptDefinition[]): MetaChange[] {
  return next.flatMap((s) => scriptChange(published.find((p) => p.name === s.name), s));
}

/**
 * What changed in a flow's graph, by node id: `nodes:+id` added, `nodes:-id` removed, `nodes:~id` changed
 * (anything but its place on the canvas), `edges` when any edge differs, `layout` when only places moved.
 */
function graphChanges(before: FlowDefinition, after: FlowDefinition): string[] {
  const byId = <T extends { id: string }>(items: readonly T[]) => new Map(items.map((item) => [item.id, item]));
  const placed = ({ position: _, ...rest }: FlowDefinition['nodes'][number]) => canonicalJson(rest);
  const old = byId(before.nodes);
  const now = byId(after.nodes);
  const changed: string[] = [];
  let moved = false;
  for (const [id, node] of now) {
    const was = old.get(id);
    if (!was) changed.push(`nodes:+${id}`);
    else if (placed(was) !== placed(node)) changed.push(`nodes:~${id}`);
    else if (canonicalJson(was.position) !== canonicalJson(node.position)) moved = true;
  }
  for (const id of old.keys()) if (!now.has(id)) changed.push(`nodes:-${id}`);
  const edges = (flow: FlowDefinition) => canonicalJson([...flow.edges].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  if (edges(before) !== edges(after)) changed.push('edges');
  if (moved && changed.length === 0) changed.push('layout');
  return changed;
}

function flowChange(before: FlowDefinition | undefined, after: FlowDefinition): MetaChange[] {
  const at = { object: triggerObject(after.trigger) ?? null, field: null, flow: after.name };
  if (!before) return [{ op: 'add_flow', ...at, changed: [] }];
  const changes: MetaChange[] = [];
  if (before.archived !== after.archived) changes.push({ op: after.archived ? 'archive_flow' : 'restore_flow', ...at, changed: [] });
  const changed = [...changedKeys(before, after, ['archived', 'nodes', 'edges']), ...graphChanges(before, after)].sort();
  if (changed.length) changes.push({ op: 'change_flow', ...at, changed });
  return changes;
}

function appChange(before: AppDefinition | undefined, after: AppDefinition): MetaChange[] {
  const at = { object: null, field: null, app: after.name };
  if (!before) return [{ op: 'add_app', ...at, changed: [] }];
  const changes: MetaChange[] = [];
  if (before.archived !== after.archived) changes.push({ op: after.archived ? 'archive_app' : 'restore_app', ...at, changed: [] });
  const changed = changedKeys(before, after, ['archived']);
  if (changed.length) changes.push({ op: 'change_app', ...at, changed });
  return changes;
}

/** A readable list of what `next` changes against `published`, for review before publishing. */
export function describeChanges(published: MetaDocument | null, next: MetaDocument): MetaChange[] {
  return [
    ...next.objects.flatMap((o) => objectChanges(published?.objects.find((p) => p.name === o.name), o)),
    ...scriptChanges(published?.scripts ?? [], next.scripts ?? []),
    ...(next.flows ?? []).flatMap((f) => flowChange(published?.flows?.find((p) => p.name === f.name), f)),
    ...(next.apps ?? []).flatMap((a) => appChange(published?.apps?.find((p) => p.name === a.name), a)),
  ];
}
