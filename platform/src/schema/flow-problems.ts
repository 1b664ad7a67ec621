import { isSafeCardLink, triggerObject, type FlowDefinition, type FlowNode, type FlowTrigger } from '../contracts/flow-definitions.ts';
import { payloadSchemaProblem } from '../flows/inbound-payload.ts';
import { cronProblem } from '../flows/schedule.ts';
import type { MetaDocument, ObjectDefinition } from '../contracts/meta.ts';
import { approvalProblems } from './approval-problems.ts';
import type { MetadataProblem } from './validate-document.ts';

/** Fields a flow cannot write: the platform computes them. */
const COMPUTED = new Set(['auto_number', 'formula', 'rollup']);
/** System fields a write may set (records.create/update take `owner`). */
const WRITABLE_SYSTEM = new Set(['owner']);
/** System fields an update can change, so a trigger may watch them. */
const WATCHABLE_SYSTEM = new Set(['owner']);

type Context = { objects: ReadonlyMap<string, ObjectDefinition>; flowSteps: ReadonlySet<string> };
type Report = (path: string, code: string, message?: string) => void;

/**
 * Flows' references and graphs, which the contract cannot see: unique names and ids, edges between
 * existing nodes, one start, every step with its next step (a condition with both branches), nothing
 * unreachable, no loop that never waits, and the objects, fields and scripts the steps name.
 * Archived flows are only checked for duplicate names: they never run.
 */
export function flowProblems(doc: MetaDocument): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const context: Context = {
    objects: new Map(doc.objects.filter((o) => !o.archived).map((o) => [o.name, o])),
    flowSteps: new Set((doc.scripts ?? []).filter((s) => !s.archived && s.kind === 'flow_step').map((s) => s.name)),
  };
  const seen = new Set<string>();
  (doc.flows ?? []).forEach((flow, i) => {
    const at = `flows.${i}`;
    if (seen.has(flow.name)) problems.push({ path: `${at}.name`, code: 'DUPLICATE_NAME', message: flow.name });
    seen.add(flow.name);
    if (flow.archived) return;
    const report: Report = (path, code, message) => problems.push({ path: `${at}${path}`, code, ...(message !== undefined && { message }) });
    graphProblems(flow, report);
    referenceProblems(flow, context, report);
  });
  return problems;
}

const describe = (node: FlowNode) => `node "${node.id}"`;
const BRANCHES = { condition: ['true', 'false'], loop: ['each', 'done'] } as const;

function graphProblems(flow: FlowDefinition, report: Report): void {
  const index = new Map<string, number>();
  flow.nodes.forEach((node, j) => {
    if (index.has(node.id)) report(`.nodes.${j}.id`, 'DUPLICATE_ID', `${describe(node)} is there twice`);
    else index.set(node.id, j);
  });
  const edgeIds = new Set<string>();
  const outgoing = new Map<string, FlowDefinition['edges']>();
  const incoming = new Map<string, FlowDefinition['edges']>();
  flow.edges.forEach((edge, k) => {
    // A second edge of the same id is not followed: it would only echo as a step with two next steps.
    if (edgeIds.has(edge.id)) return report(`.edges.${k}.id`, 'DUPLICATE_ID', `edge "${edge.id}" is there twice`);
    edgeIds.add(edge.id);
    let known = true;
    for (const end of ['source', 'target'] as const) {
      if (index.has(edge[end])) continue;
      report(`.edges.${k}.${end}`, 'UNKNOWN_NODE', `edge "${edge.id}": there is no node "${edge[end]}"`);
      known = false;
    }
    if (!known) return;
    outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
    incoming.set(edge.target, [...(incoming.get(edge.target) ?? []), edge]);
  });
  const nodeAt = (id: string) => `.nodes.${index.get(id)}`;
  const starts = [...index.keys()].filter((id) => flow.nodes[index.get(id)!]!.type === 'start');
  if (starts.length === 0) report('.nodes', 'MISSING_START', 'a flow needs one start node');
  for (const id of starts.slice(1)) report(nodeAt(id), 'EXTRA_START', `node "${id}": a flow has only one start node`);
  for (const [id, j] of index) {
    const node = flow.nodes[j]!;
    const out = outgoing.get(id) ?? [];
    if (node.type === 'start' && (incoming.get(id) ?? []).length > 0) report(nodeAt(id), 'EDGE_INTO_START', `${describe(node)}: no edge may lead into the start`);
    if (node.type === 'end') {
      if (out.length > 0) report(nodeAt(id), 'EDGE_FROM_END', `${describe(node)}: an end has no next step`);
    } else if (node.type === 'condition' || node.type === 'loop') {
      const branches = BRANCHES[node.type];
      for (const branch of branches) {
        const taken = out.filter((e) => e.sourceHandle === branch).length;
        if (taken === 0) report(nodeAt(id), 'MISSING_BRANCH', `${describe(node)}: no "${branch}" branch`);
        if (taken > 1) report(nodeAt(id), 'EXTRA_EDGE', `${describe(node)}: more than one "${branch}" branch`);
      }
      if (out.some((e) => !branches.includes(e.sourceHandle as never))) report(nodeAt(id), 'EXTRA_EDGE', `${describe(node)}: every edge of a ${node.type} is its "${branches[0]}" or its "${branches[1]}" branch`);
    } else if (out.length === 0) report(nodeAt(id), 'MISSING_EDGE', `${describe(node)}: no next step (end the flow with an end node)`);
    else if (out.length > 1) report(nodeAt(id), 'EXTRA_EDGE', `${describe(node)}: more than one next step (branch with a condition)`);
  }
  const next = (id: string) => (outgoing.get(id) ?? []).map((e) => e.target);
  if (starts.length > 0) {
    const reached = new Set<string>();
    const queue = [starts[0]!];
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      if (reached.has(id)) continue;
      reached.add(id);
      queue.push(...next(id));
    }
    // A second start is unreachable by nature; it is reported as one too many already.
    for (const id of index.keys()) if (!reached.has(id) && !starts.includes(id)) report(nodeAt(id), 'UNREACHABLE_NODE', `node "${id}" cannot be reached from the start`);
  }
  // A loop node ends its own cycle after its limit; the run's step cap stops a cycle through its "done" branch.
  // An approval waits for people.
  const waits = new Set([...index.keys()].filter((id) => ['wait', 'loop', 'approval'].includes(flow.nodes[index.get(id)!]!.type)));
  for (const loop of loops([...index.keys()].filter((id) => !waits.has(id)), (id) => next(id).filter((t) => !waits.has(t)))) {
    report(nodeAt(loop[0]!), 'CYCLE_WITHOUT_WAIT', `nodes ${loop.map((id) => `"${id}"`).join(', ')} loop without a wait node`);
  }
}

/**
 * The strongly connected parts of a graph that hold a loop (Tarjan's algorithm, iterative so that a
 * 200-node chain cannot overflow the stack), each in the order its nodes were given.
 */
function loops(ids: readonly string[], next: (id: string) => string[]): string[][] {
  const order = new Map(ids.map((id, i) => [id, i]));
  const low = new Map<string, number>();
  const number = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (number.has(root)) continue;
    const work: { id: string; targets: string[] }[] = [];
    const enter = (id: string) => {
      number.set(id, counter);
      low.set(id, counter++);
      stack.push(id);
      onStack.add(id);
      work.push({ id, targets: next(id) });
    };
    enter(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const target = top.targets.shift();
      if (target !== undefined) {
        if (!number.has(target)) enter(target);
        else if (onStack.has(target)) low.set(top.id, Math.min(low.get(top.id)!, number.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(top.id)!));
      if (low.get(top.id) !== number.get(top.id)) continue;
      const part: string[] = [];
      let id: string;
      do {
        id = stack.pop()!;
        onStack.delete(id);
        part.push(id);
      } while (id !== top.id);
      if (part.length > 1 || next(top.id).includes(top.id)) found.push(part.sort((a, b) => order.get(a)! - order.get(b)!));
    }
  }
  return found.sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
}

function referenceProblems(flow: FlowDefinition, context: Context, report: Report): void {
  // Every trigger answers `object` here (undefined for those that run on no record).
  const trigger = { ...flow.trigger, object: triggerObject(flow.trigger) };
  let recordObject: ObjectDefinition | null = null;
  if (trigger.object !== undefined) {
    recordObject = context.objects.get(trigger.object) ?? null;
    if (!recordObject) report('.trigger.object', 'UNKNOWN_OBJECT', `no object "${trigger.object}"`);
  }
  if (trigger.type === 'record' && recordObject) {
    const watchable = new Set([...liveFields(recordObject).map((f) => f.name), ...WATCHABLE_SYSTEM]);
    trigger.fields.forEach((name, k) => {
      if (!watchable.has(name)) report(`.trigger.fields.${k}`, 'UNKNOWN_FIELD', `no field "${name}" on "${recordObject.name}"`);
    });
  }
  triggerProblems(flow.trigger, recordObject, report);
  flow.nodes.forEach((node, j) => {
    const at = `.nodes.${j}`;
    if (node.type === 'update_record') {
      if (trigger.object === undefined) report(at, 'NO_RECORD', `${describe(node)}: the flow has no record to update (its trigger names no object)`);
      else if (recordObject) valueProblems(node, recordObject, `${at}.data.values`, node.data.values, report);
    } else if (node.type === 'create_record') {
      const target = context.objects.get(node.data.object);
      if (!target) report(`${at}.data.object`, 'UNKNOWN_OBJECT', `${describe(node)}: no object "${node.data.object}"`);
      else valueProblems(node, target, `${at}.data.values`, node.data.values, report);
    } else if (node.type === 'loop') {
      const related = context.objects.get(node.data.object);
      const via = related && liveFields(related).find((f) => f.name === node.data.via);
      if (trigger.object === undefined) report(at, 'NO_RECORD', `${describe(node)}: the flow has no record whose related records to loop over`);
      else if (!related) report(`${at}.data.object`, 'UNKNOWN_OBJECT', `${describe(node)}: no object "${node.data.object}"`);
      else if (via?.type !== 'lookup' || via.target !== trigger.object) report(`${at}.data.via`, 'UNKNOWN_FIELD', `${describe(node)}: "${node.data.via}" is not a lookup of "${node.data.object}" to "${trigger.object}"`);
    } else if (node.type === 'approval') {
      approvalProblems(node, at, trigger.object, recordObject, report);
    } else if (node.type === 'post_message') {
      node.data.card?.links.forEach((link, k) => {
        // A link with {{…}} parts is checked when it is filled in (flows/flow-card.ts).
        if (!link.url.includes('{{') && !isSafeCardLink(link.url)) report(`${at}.data.card.links.${k}.url`, 'INVALID_LINK', `${describe(node)}: "${link.url}" is not an http(s) address or a path of the app`);
      });
    } else if (node.type === 'run_script' && !context.flowSteps.has(node.data.script)) {
      report(`${at}.data.script`, 'UNKNOWN_SCRIPT', `${describe(node)}: no flow_step script "${node.data.script}"`);
    }
  });
}

const liveFields = (object: ObjectDefinition) => object.fields.filter((f) => !f.archived);

/** A schedule that parses; a date trigger on a date or datetime field (a time of day only for a date); a payload schema that compiles. */
function triggerProblems(trigger: FlowTrigger, recordObject: ObjectDefinition | null, report: Report): void {
  if (trigger.type === 'schedule') {
    const problem = cronProblem(trigger.cron);
    if (problem) report('.trigger.cron', 'INVALID_SCHEDULE', problem);
  } else if (trigger.type === 'date' && recordObject) {
    const field = liveFields(recordObject).find((f) => f.name === trigger.field);
    if (!field) report('.trigger.field', 'UNKNOWN_FIELD', `no field "${trigger.field}" on "${recordObject.name}"`);
    else if (field.type !== 'date' && field.type !== 'datetime') report('.trigger.field', 'NOT_A_DATE_FIELD', `"${trigger.field}" is a ${field.type} field, not a date or datetime`);
    else if (field.type === 'datetime' && trigger.time !== undefined) report('.trigger.time', 'TIME_ON_DATETIME', `"${trigger.field}" has its own time of day: a time applies to a date field only`);
  } else if (trigger.type === 'webhook' && trigger.payloadSchema) {
    const problem = payloadSchemaProblem(trigger.payloadSchema);
    if (problem) report('.trigger.payloadSchema', 'INVALID_PAYLOAD_SCHEMA', problem);
  }
}

function valueProblems(node: FlowNode, object: ObjectDefinition, at: string, values: Record<string, unknown>, report: Report): void {
  const fields = new Map(liveFields(object).map((f) => [f.name, f]));
  for (const name of Object.keys(values)) {
    const field = fields.get(name);
    if (!field && !WRITABLE_SYSTEM.has(name)) report(`${at}.${name}`, 'UNKNOWN_FIELD', `${describe(node)}: no field "${name}" on "${object.name}"`);
    else if (field && COMPUTED.has(field.type)) report(`${at}.${name}`, 'READ_ONLY_FIELD', `${describe(node)}: "${name}" is computed and cannot be written`);
  }
}
