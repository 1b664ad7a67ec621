import type { FlowNode } from '../contracts/flow-definitions.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';

type Report = (path: string, code: string, message?: string) => void;
type ApprovalNode = Extract<FlowNode, { type: 'approval' }>;

/**
 * An approval node's references: a record to approve, summary and approver fields of that record (an
 * approver field must be a user field), level keys used once, each group's levels next to each other,
 * and no level asking for more approvals than the people it lists.
 */
export function approvalProblems(node: ApprovalNode, at: string, object: string | undefined, recordObject: ObjectDefinition | null, report: Report): void {
  const name = `node "${node.id}"`;
  if (object === undefined) return report(at, 'NO_RECORD', `${name}: the flow has no record to approve (its trigger names no object)`);
  const fields = new Map((recordObject?.fields ?? []).filter((f) => !f.archived).map((f) => [f.name, f]));
  if (recordObject) {
    node.data.summaryFields.forEach((field, k) => {
      if (!fields.has(field)) report(`${at}.data.summaryFields.${k}`, 'UNKNOWN_FIELD', `${name}: no field "${field}" on "${recordObject.name}"`);
    });
  }
  const keys = new Set<string>();
  const groupsEnded = new Set<string>();
  node.data.levels.forEach((level, k) => {
    const path = `${at}.data.levels.${k}`;
    if (keys.has(level.id)) report(`${path}.id`, 'DUPLICATE_ID', `${name}: level "${level.id}" is there twice`);
    keys.add(level.id);
    const previous = node.data.levels[k - 1];
    if (previous?.group !== undefined && previous.group !== level.group) groupsEnded.add(previous.group);
    if (level.group !== undefined && groupsEnded.has(level.group)) report(`${path}.group`, 'SPLIT_GROUP', `${name}: the levels of group "${level.group}" must be next to each other`);
    level.approvers.forEach((rule, r) => {
      if (rule.kind !== 'field' || !recordObject) return;
      const field = fields.get(rule.field);
      if (!field) report(`${path}.approvers.${r}.field`, 'UNKNOWN_FIELD', `${name}: no field "${rule.field}" on "${recordObject.name}"`);
      else if (field.type !== 'user') report(`${path}.approvers.${r}.field`, 'NOT_A_USER_FIELD', `${name}: "${rule.field}" is a ${field.type} field, not a user field`);
    });
    const listed = level.approvers.every((rule) => rule.kind === 'users') ? new Set(level.approvers.flatMap((rule) => (rule.kind === 'users' ? rule.users : []))).size : Infinity;
    if (level.count !== undefined && level.count > listed) report(`${path}.count`, 'COUNT_TOO_HIGH', `${name}: level "${level.id}" asks for ${level.count} approvals of ${listed} people`);
  });
}
