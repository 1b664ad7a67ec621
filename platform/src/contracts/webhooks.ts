import { z } from 'zod';
import { ApiName } from './api-names.ts';
import { Id, page, PageQuery, Timestamp, text } from './common.ts';

/** What an outbound webhook can subscribe to. `webhook.test` is only ever sent by the "send test event" action. */
export const WEBHOOK_EVENTS = ['record.created', 'record.updated', 'record.deleted', 'flow.run.done', 'flow.run.needs_attention'] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENTS).meta({ id: 'WebhookEventType' });
export type WebhookEventType = z.infer<typeof WebhookEventType>;

const FlowName = z.string().regex(/^[a-z][a-z0-9_]{0,49}$/);

/** An absolute http(s) URL without credentials in it (they would show in every log line). */
export const WebhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine((value) => {
    // Runs on what the format check refused too, which is that check's to report.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.username === '' && url.password === '';
  }, { message: 'a URL may not carry a user name or password' })
  .meta({ description: 'Where events are POSTed: an absolute http or https URL.' });

const unique = <T>(items: T[]) => new Set(items).size === items.length;

const subscriptionFields = {
  name: text(100, 1),
  description: text(1000),
  url: WebhookUrl,
  events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENTS.length).refine(unique, { message: 'events repeat' }),
  objects: z.array(ApiName).max(100).refine(unique, { message: 'objects repeat' }).meta({ description: 'Record events only of these objects; empty: of every object.' }),
  flows: z.array(FlowName).max(100).refine(unique, { message: 'flows repeat' }).meta({ description: 'Flow run events only of these flows; empty: of every flow.' }),
  active: z.boolean(),
  retry: z
    .object({ attempts: z.number().int().min(1).max(20), backoffSeconds: z.number().int().min(1).max(3600) })
    .strict()
    .meta({ description: 'Attempts in all (the first included); the wait before retry n is backoffSeconds × 2^(n−1), at most 6 hours.' }),
  timeoutSeconds: z.number().int().min(1).max(30).meta({ description: 'How long one attempt may take, response body included.' }),
};

export const DEFAULT_WEBHOOK_RETRY = { attempts: 8, backoffSeconds: 30 } as const;

export const CreateWebhook = z
  .object({
    ...subscriptionFields,
    description: subscriptionFields.description.optional(),
    objects: subscriptionFields.objects.default([]),
    flows: subscriptionFields.flows.default([]),
    active: subscriptionFields.active.default(true),
    retry: subscriptionFields.retry.default(DEFAULT_WEBHOOK_RETRY),
    timeoutSeconds: subscriptionFields.timeoutSeconds.default(10),
  })
  .strict()
  .meta({ id: 'CreateWebhook' });
export type CreateWebhook = z.infer<typeof CreateWebhook>;

export const UpdateWebhook = z
  .object({ ...subscriptionFields, description: subscriptionFields.description.nullable() })
  .partial()
  .strict()
  .meta({ id: 'UpdateWebhook' });
export type UpdateWebhook = z.infer<typeof UpdateWebhook>;

export const Webhook = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().nullable(),
    url: z.string(),
    events: z.array(WebhookEventType),
    objects: z.array(z.string()),
    flows: z.array(z.string()),
    active: z.boolean(),
    retry: z.object({ attempts: z.number().int(), backoffSeconds: z.number().int() }),
    timeoutSeconds: z.number().int(),
    secretHint: z.string().meta({ description: 'The last characters of the signing secret, to tell secrets apart.' }),
    createdBy: Id.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof Webhook>;

export const WebhookWithSecret = Webhook.extend({
  secret: z.string().meta({ description: 'The signing secret (whsec_…): shown only in this answer.' }),
}).meta({ id: 'WebhookWithSecret' });
export type WebhookWithSecret = z.infer<typeof WebhookWithSecret>;

export const WebhookList = z.object({ items: z.array(Webhook) }).meta({ id: 'WebhookList' });

export const WebhookDeliveryStatus = z.enum(['pending', 'delivering', 'delivered', 'failed']).meta({ id: 'WebhookDeliveryStatus' });
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

export const WebhookDelivery = z
  .object({
    id: Id.meta({ description: 'Sent as X-Threadbase-Delivery; the same in every attempt, so receivers can drop repeats.' }),
    webhookId: Id,
    eventId: Id,
    eventType: z.string(),
    status: WebhookDeliveryStatus,
    attempts: z.number().int(),
    responseStatus: z.number().int().nullable().meta({ description: "The receiver's HTTP status in the last attempt." }),
    error: z.string().nullable().meta({ description: 'Why the last attempt failed.' }),
    durationMs: z.number().nullable().meta({ description: 'How long the last attempt took.' }),
    createdAt: Timestamp,
    lastAttemptAt: Timestamp.nullable(),
    nextAttemptAt: Timestamp.nullable().meta({ description: 'When a pending delivery is (re)tried.' }),
    finishedAt: Timestamp.nullable(),
    replayOf: Id.nullable().meta({ description: 'The delivery this one replays.' }),
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookAttempt = z
  .object({
    attempt: z.number().int(),
    startedAt: Timestamp,
    durationMs: z.number().nullable(),
    responseStatus: z.number().int().nullable(),
    error: z.string().nullable(),
    responseBody: z.string().nullable().meta({ description: "The start of the receiver's answer." }),
  })
  .meta({ id: 'WebhookAttempt' });

export const WebhookDeliveryDetail = WebhookDelivery.extend({
  payload: z.unknown().meta({ description: 'The body as sent (the event).' }),
  history: z.array(WebhookAttempt).meta({ description: 'Every attempt, first to last.' }),
}).meta({ id: 'WebhookDeliveryDetail' });
export type WebhookDeliveryDetail = z.infer<typeof WebhookDeliveryDetail>;

export const WebhookDeliveryList = page(WebhookDelivery).meta({ id: 'WebhookDeliveryList' });
export const WebhookDeliveriesQuery = PageQuery.extend({ status: WebhookDeliveryStatus.optional() });

/** `a.b.0.c`: keys of objects and indexes of arrays, separated by dots. */
export const PayloadPath = text(500, 1)
  .refine((path) => path.split('.').every((segment) => segment.length > 0), { message: 'a path is keys separated by single dots' })
  .meta({ description: 'Where a value is in the payload: keys and array indexes separated by dots (order.customer.name, lines.0.sku).' });

export const InboundMode = z.enum(['create', 'upsert']).meta({ id: 'InboundMode' });

const inboundFields = {
  name: text(100, 1),
  description: text(1000),
  object: ApiName,
  mode: InboundMode,
  keyField: ApiName.meta({ description: 'With upsert: the unique field whose value finds the record to update.' }),
  mapping: z
    .record(ApiName, PayloadPath)
    .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 200, { message: 'map 1 to 200 fields' })
    .meta({ description: 'Field API name → payload path of its value.' }),
  active: z.boolean(),
};

const keyFieldMapped = (hook: { mode?: string; keyField?: string | null; mapping?: Record<string, string> }) =>
  hook.mode !== 'upsert' || (hook.keyField != null && (hook.mapping === undefined || hook.keyField in hook.mapping));

export const CreateInboundHook = z
  .object({ ...inboundFields, description: inboundFields.description.optional(), keyField: inboundFields.keyField.optional(), active: inboundFields.active.default(true) })
  .strict()
  .refine(keyFieldMapped, { message: 'upsert needs a keyField that the mapping fills', path: ['keyField'] })
  .meta({ id: 'CreateInboundHook' });
export type CreateInboundHook = z.infer<typeof CreateInboundHook>;

export const UpdateInboundHook = z
  .object({ ...inboundFields, description: inboundFields.description.nullable(), keyField: inboundFields.keyField.nullable() })
  .partial()
  .strict()
  .meta({ id: 'UpdateInboundHook' });
export type UpdateInboundHook = z.infer<typeof UpdateInboundHook>;

export const InboundHook = z
  .object({
    id: Id,
    name: z.string(),
    description: z.string().nullable(),
    object: z.string(),
    mode: InboundMode,
    keyField: z.string().nullable(),
    mapping: z.record(z.string(), z.string()),
    active: z.boolean(),
    tokenHint: z.string().meta({ description: 'The last characters of the token, to tell URLs apart.' }),
    lastUsedAt: Timestamp.nullable(),
    createdBy: Id.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'InboundHook' });
export type InboundHook = z.infer<typeof InboundHook>;

export const InboundHookWithToken = InboundHook.extend({
  token: z.string().meta({ description: 'The secret token (tbh_…): shown only in this answer.' }),
  path: z.string().meta({ description: 'Where the other system POSTs: /api/v1/hooks/in/{token} on this server.' }),
}).meta({ id: 'InboundHookWithToken' });
export type InboundHookWithToken = z.infer<typeof InboundHookWithToken>;

export const InboundHookList = z.object({ items: z.array(InboundHook) }).meta({ id: 'InboundHookList' });

export const InboundTokenParam = z.object({ token: text(200, 1) });

export const InboundResult = z
  .object({ recordId: Id, created: z.boolean().meta({ description: 'True when the call created the record, false when it updated one.' }) })
  .meta({ id: 'InboundResult' });
export type InboundResult = z.infer<typeof InboundResult>;
