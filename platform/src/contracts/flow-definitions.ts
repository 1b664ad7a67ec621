import { z } from 'zod';
import { ApiName, LocalisedText } from './api-names.ts';
import { ApprovalNodeData } from './approvals.ts';
export { isSafeCardLink } from './card-links.ts';
import { text } from './common.ts';

/**
 * Flows as the canvas edits them: Vue Flow's nodes (`id`, `type`, `position`, `data`) and edges
 * (`source`, `target`, `sourceHandle`). The engine reads the same JSON. Expressions are TypeScript
 * expressions over `record` (the flow's record, as it is when the step runs) and `steps` (the outputs of
 * earlier steps by node id), checked against the workspace's types at publish.
 */
const NodeId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, starting with a letter, at most 64');
const Expression = text(2000, 1);
const Position = z.object({ x: z.number(), y: z.number() });
/** Field values to write: each a constant, or `{ "expr": "…" }` computed when the step runs. */
const Values = z.record(z.string(), z.unknown());

/** Every text of a card is a template like the message's: {{expression}} parts are filled in when it is posted. */
const FlowCard = z
  .object({
    title: text(200, 1),
    fields: z.array(z.object({ label: text(100, 1), value: text(1000) })).max(20).default([]),
    links: z
      .array(z.object({ label: text(50, 1), url: text(2048, 1).meta({ description: 'https://…, http://… or a path of the app (/…) once filled in.' }) }))
      .max(5)
      .default([]),
  })
  .meta({ id: 'FlowCard', description: 'Posts the message as a card: a title, label–value rows and link buttons.' });
export type FlowCard = z.infer<typeof FlowCard>;

const node = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ id: NodeId, type: z.literal(type), position: Position.default({ x: 0, y: 0 }), label: text(200).optional(), data });

export const FlowNode = z
  .discriminatedUnion('type', [
    node('start', z.object({}).default({})),
    node('condition', z.object({ expression: Expression }).meta({ description: 'Two outgoing edges, sourceHandle "true" and "false".' })),
    node('update_record', z.object({ values: Values })),
    node('create_record', z.object({ object: ApiName, values: Values })),
    node(
      'post_message',
      z.object({
        text: text(10_000, 1).meta({ description: 'The message; {{expression}} parts are filled in. With a card, what notifications, search and older clients show.' }),
        card: FlowCard.optional(),
      }),
    ),
    node('notify', z.object({ users: Expression.meta({ description: 'An expression giving a user id or a list of them.' }), text: text(2000, 1) })),
    node('run_script', z.object({ script: ApiName, input: Values.default({}) })),
    node(
      'http_call',
      z.object({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
        url: text(2048, 1),
        body: Values.optional(),
        secret: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/).optional().meta({ description: 'The workspace secret that signs the body (X-Threadbase-Signature: sha256=HMAC).' }),
      }),
    ),
    node(
      'wait',
      z
        .object({
          seconds: z.number().int().min(1).max(366 * 24 * 3600).optional(),
          until: Expression.optional().meta({ description: 'An expression giving a date-time (ISO string) to wait for.' }),
          condition: Expression.optional().meta({ description: "Waits until this expression over `record` holds: checked at once, then each time the run's record changes." }),
          event: z.literal('message').optional().meta({ description: "message: waits until someone posts a message in the record's thread." }),
          timeoutSeconds: z.number().int().min(1).max(366 * 24 * 3600).optional().meta({ description: 'With condition or event: stop waiting after this long (output timedOut: true).' }),
        })
        .refine((d) => [d.seconds, d.until, d.condition, d.event].filter((x) => x !== undefined).length === 1, { message: 'exactly one of seconds, until, condition or event' })
        .refine((d) => d.timeoutSeconds === undefined || d.condition !== undefined || d.event !== undefined, { message: 'timeoutSeconds goes with condition or event' }),
    ),
    node('approval', ApprovalNodeData.meta({ description: 'Asks people to approve the run\'s record, level by level; the step waits for the outcome ({ outcome, approvalId, by, reason }).' })),
    node(
      'loop',
      z
        .object({
          object: ApiName.meta({ description: 'The related object whose records are looped over.' }),
          via: ApiName.meta({ description: "Its lookup field that points at the run's record." }),
          limit: z.number().int().min(1).max(1000).default(100).meta({ description: 'At most this many records, oldest first.' }),
        })
        .meta({ description: 'Two outgoing edges: sourceHandle "each" (runs once per record, its last step leading back here) and "done".' }),
    ),
    node('end', z.object({}).default({})),
  ])
  .meta({ id: 'FlowNode' });
export type FlowNode = z.infer<typeof FlowNode>;
export type FlowNodeType = FlowNode['type'];

export const FlowEdge = z
  .object({ id: text(100, 1), source: NodeId, target: NodeId, sourceHandle: z.enum(['true', 'false', 'each', 'done']).nullable().optional() })
  .meta({ id: 'FlowEdge' });
export type FlowEdge = z.infer<typeof FlowEdge>;

const TimeUnit = z.enum(['minutes', 'hours', 'days']);

export const FlowTrigger = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('record'),
      object: ApiName,
      events: z.array(z.enum(['created', 'updated', 'deleted'])).min(1),
      fields: z.array(ApiName).max(50).default([]).meta({ description: 'Updates start the flow only when one of these fields changed (empty: any).' }),
      condition: Expression.optional().meta({ description: 'Starts only when this expression over `record` holds.' }),
    }),
    z.object({
      type: z.literal('manual'),
      object: ApiName.optional().meta({ description: 'Started on a record of this object (a button on its records), or on nothing.' }),
      button: z
        .object({ label: LocalisedText.optional().meta({ description: "The button's text (the flow's label if not given)." }), confirm: LocalisedText.optional().meta({ description: 'Asked before the flow starts.' }) })
        .optional(),
    }),
    z.object({ type: z.literal('schedule'), cron: text(100, 1).meta({ description: "Five fields (minute hour day-of-month month day-of-week), in the workspace's time zone. Runs on no record." }) }),
    z.object({
      type: z.literal('date'),
      object: ApiName,
      field: ApiName.meta({ description: 'A date or datetime field of the object.' }),
      amount: z.number().int().min(0).max(100_000),
      unit: TimeUnit,
      direction: z.enum(['before', 'after']),
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM').optional().meta({ description: "For a date field: the time of day (workspace's time zone) its day starts the count from; 00:00 if not given." }),
      condition: Expression.optional().meta({ description: 'Runs only when this expression over `record` holds at the time.' }),
    }),
    z.object({
      type: z.literal('inactivity'),
      object: ApiName,
      amount: z.number().int().min(1).max(100_000),
      unit: TimeUnit,
      condition: Expression.optional().meta({ description: 'Runs only when this expression over `record` holds at the time.' }),
    }),
    z.object({
      type: z.literal('webhook'),
      payloadSchema: z.record(z.string(), z.unknown()).optional().meta({ description: 'A JSON Schema (draft 2020-12) the posted payload must match.' }),
    }),
  ])
  .meta({ id: 'FlowTrigger' });
export type FlowTrigger = z.infer<typeof FlowTrigger>;
/** The object whose records a trigger starts runs on, if any. */
export const triggerObject = (trigger: FlowTrigger): string | undefined => ('object' in trigger ? trigger.object : undefined);

/** A flow's approval node when its start leads straight to one: the shape "submit for approval" starts. */
export function firstApproval(flow: FlowDefinition): { id: string; data: ApprovalNodeData } | null {
  const start = flow.nodes.find((n) => n.type === 'start');
  const next = start && flow.edges.find((e) => e.source === start.id);
  const node = next && flow.nodes.find((n) => n.id === next.target);
  return node?.type === 'approval' ? { id: node.id, data: node.data } : null;
}

export const FlowDefinition = z
  .object({
    name: ApiName,
    label: LocalisedText,
    description: text(1000).optional(),
    active: z.boolean().default(true),
    trigger: FlowTrigger,
    nodes: z.array(FlowNode).min(2).max(200),
    edges: z.array(FlowEdge).max(400),
    retry: z
      .object({ attempts: z.number().int().min(1).max(10).default(3), backoffSeconds: z.number().int().min(1).max(3600).default(10) })
      .default({ attempts: 3, backoffSeconds: 10 })
      .meta({ description: 'A failed step is tried this many times, waiting longer each time, then the run needs attention.' }),
    archived: z.boolean().default(false),
  })
  .meta({ id: 'FlowDefinition' });
export type FlowDefinition = z.infer<typeof FlowDefinition>;
