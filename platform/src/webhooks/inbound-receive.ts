import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import type { InboundResult } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { canonicalJson } from '../core/canonical-json.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { listRecords } from '../records/list-records.ts';
import { createRecord, updateRecord } from '../records/service.ts';
import { checkBinding, hookByToken, type InboundRow } from './inbound-hooks.ts';

export type InboundAnswer = { status: 200 | 201; body: InboundResult; replayed: boolean };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The value at `path` (keys and array indexes separated by dots), or undefined when the payload has none. */
export function valueAt(payload: unknown, path: string): unknown {
  let value = payload;
  for (const segment of path.split('.')) {
    if (Array.isArray(value) && /^\d+$/.test(segment)) value = value[Number(segment)];
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, segment)) value = (value as Record<string, unknown>)[segment];
    else return undefined;
  }
  return value;
}

/** The record input a payload makes: each mapped field its path's value; paths the payload lacks leave their field alone. */
function inputOf(hook: InboundRow, payload: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [field, path] of Object.entries(hook.mapping as Record<string, string>)) {
    const value = valueAt(payload, path);
    if (value !== undefined) input[field] = value;
  }
  return input;
}

/** The record whose key field holds `value`, as the system sees it; a value the field cannot hold is the sender's field error. */
async function findByKey(tx: Ctx, object: string, field: string, value: unknown): Promise<string | null> {
  try {
    const found = await listRecords(tx, object, { filter: JSON.stringify({ field, op: 'eq', value }), fields: field, limit: 1 });
    return found.items[0]?.id ?? null;
  } catch (error) {
    if (error instanceof AppError && error.code === 'INVALID_FILTER') {
      throw new AppError('INVALID_FIELD_VALUE', 400, { params: { fields: field }, details: { fields: [{ field, message: 'not a value this key field can hold' }] } });
    }
    throw error;
  }
}

/**
 * Creates a record, or with upsert finds it by its key and updates it (creating it when there is none).
 * Calls with the same key value wait for each other, so that two of them never both create.
 */
async function apply(tx: Ctx, hook: InboundRow, input: Record<string, unknown>): Promise<InboundResult> {
  if (hook.mode === 'create') return { recordId: (await createRecord(tx, hook.object, input)).id, created: true };
  const field = hook.key_field!;
  const value = input[field];
  if (value === undefined || value === null) {
    throw new AppError('WEBHOOK_KEY_MISSING', 400, { params: { field, path: (hook.mapping as Record<string, string>)[field] ?? '' }, details: { field } });
  }
  await sql`select pg_advisory_xact_lock(hashtext(${`threadbase:inbound:${tx.workspace.schemas.data}:${hook.object}:${field}:${canonicalJson(value)}`}))`.execute(tx.db);
  const existing = await findByKey(tx, hook.object, field, value);
  if (existing) return { recordId: (await updateRecord(tx, hook.object, existing, input)).id, created: false };
  return { recordId: (await createRecord(tx, hook.object, input)).id, created: true };
}

/**
 * `POST /api/v1/hooks/in/{token}`: the payload becomes a record as the hook's mapping says, written by the
 * system (no user's rights apply) and audited under the hook's name. With an Idempotency-Key, the first
 * answer is kept and given again to the same key with the same payload, without writing anything.
 */
export async function receive(ctx: Ctx, token: string, payload: unknown, idempotencyKey: string | undefined): Promise<InboundAnswer> {
  const hook = await hookByToken(ctx, token);
  if (!hook) throw new AppError('WEBHOOK_INBOUND_NOT_FOUND', 404);
  if (!hook.active) throw new AppError('WEBHOOK_INBOUND_INACTIVE', 409, { params: { name: hook.name } });
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new AppError('WEBHOOK_PAYLOAD_INVALID', 400);
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new AppError('FAILED_VALIDATION', 400, { params: { fields: 'Idempotency-Key' }, details: { issues: [{ path: 'header.idempotency-key', message: '1 to 255 visible ASCII characters', code: 'invalid_format' }] } });
  }
  const bodyHash = createHash('sha256').update(canonicalJson(payload)).digest('hex');
  const system: Ctx = { ...ctx, actor: { kind: 'system' } };
  return inTransaction(system, async (tx) => {
    if (idempotencyKey !== undefined) {
      // The key is taken first: a second call with it waits here until the first commits (then finds its
      // answer) or rolls back (then goes ahead itself).
      const taken = await tx.db
        .insertInto('webhook_inbound_requests')
        .values({ hook_id: hook.id, key: idempotencyKey, body_hash: bodyHash, status: 0, response: jsonb({}) })
        .onConflict((oc) => oc.columns(['hook_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (!taken) {
        const earlier = await tx.db.selectFrom('webhook_inbound_requests').select(['body_hash', 'status', 'response']).where('hook_id', '=', hook.id).where('key', '=', idempotencyKey).executeTakeFirstOrThrow();
        if (earlier.body_hash !== bodyHash) throw new AppError('IDEMPOTENCY_KEY_REUSED', 409);
        return { status: earlier.status as 200 | 201, body: earlier.response as InboundResult, replayed: true };
      }
    }
    await checkBinding(tx, { object: hook.object, mode: hook.mode, keyField: hook.key_field, mapping: hook.mapping as Record<string, string> });
    const result = await apply(tx, hook, inputOf(hook, payload as Record<string, unknown>));
    const status = result.created ? 201 : 200;
    await tx.db.updateTable('webhook_inbound').set({ last_used_at: new Date() }).where('id', '=', hook.id).execute();
    await appendAudit(tx, {
      action: 'webhooks.inbound.receive',
      targetType: 'record',
      targetId: result.recordId,
      actorLogin: `webhook:${hook.name}`.slice(0, 120),
      details: { hook: hook.id, object: hook.object, created: result.created, idempotencyKey: idempotencyKey ?? null },
    });
    if (idempotencyKey !== undefined) {
      await tx.db.updateTable('webhook_inbound_requests').set({ status, response: jsonb(result) }).where('hook_id', '=', hook.id).where('key', '=', idempotencyKey).execute();
    }
    return { status, body: result, replayed: false };
  });
}
