import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { appendAudit } from '../audit/index.ts';
import type { CreateInboundHook, InboundHook, InboundHookWithToken, UpdateInboundHook } from '../contracts/index.ts';
import type { ObjectDefinition } from '../contracts/meta.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { requireAdmin } from '../core/guards.ts';
import { jsonb, type WorkspaceDB } from '../db/tables.ts';
import { publishedObjects } from '../meta/index.ts';
import { hintOf } from './signature.ts';

export type InboundRow = Selectable<WorkspaceDB['webhook_inbound']>;

export const INBOUND_PATH = '/api/v1/hooks/in';
const TOKEN_PREFIX = 'tbh_';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function toHook(row: InboundRow): InboundHook {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    object: row.object,
    mode: row.mode,
    keyField: row.key_field,
    mapping: row.mapping as Record<string, string>,
    active: row.active,
    tokenHint: row.token_hint,
    lastUsedAt: iso(row.last_used_at),
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

/** Computed fields (formula, rollup, auto number) are the platform's to fill; archived ones are gone. */
const writable = (object: ObjectDefinition, name: string) => object.fields.some((f) => f.name === name && !f.archived && f.type !== 'formula' && f.type !== 'rollup' && f.type !== 'auto_number');

/**
 * Checks a hook's settings against the published metadata (at save, and again on every call, as fields
 * may have changed since): the object, fields the mapping fills, and an upsert's key, a unique field.
 * Answers the object.
 */
export async function checkBinding(ctx: Ctx, hook: { object: string; mode: string; keyField: string | null; mapping: Record<string, string> }): Promise<ObjectDefinition> {
  const object = (await publishedObjects(ctx)).objects.get(hook.object);
  if (!object) throw new AppError('OBJECT_NOT_FOUND', 422, { params: { object: hook.object }, details: { field: 'object' } });
  const unknown = Object.keys(hook.mapping).filter((name) => !writable(object, name));
  if (unknown.length) throw new AppError('WEBHOOK_MAPPING_INVALID', 422, { params: { object: object.name, fields: unknown.slice(0, 10).join(', ') }, details: { fields: unknown } });
  if (hook.mode === 'upsert') {
    const key = object.fields.find((f) => f.name === hook.keyField);
    if (!key || !key.unique || !writable(object, key.name) || !(key.name in hook.mapping)) {
      throw new AppError('WEBHOOK_KEY_FIELD_INVALID', 422, { params: { object: object.name, field: hook.keyField ?? '—' }, details: { field: 'keyField' } });
    }
  }
  return object;
}

async function hookRow(ctx: Ctx, id: string, lock = false): Promise<InboundRow> {
  let query = ctx.db.selectFrom('webhook_inbound').selectAll().where('id', '=', id);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('WEBHOOK_INBOUND_NOT_FOUND', 404);
  return row;
}

/** 256 random bits: a fast hash is enough to make the stored form useless to whoever reads the table. */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh token; only its hash is stored, so this is the one moment it can be shown. */
function newToken() {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), hint: hintOf(token) };
}

const withToken = (row: InboundRow, token: string): InboundHookWithToken => ({ ...toHook(row), token, path: `${INBOUND_PATH}/${token}` });

export async function listInboundHooks(ctx: Ctx): Promise<{ items: InboundHook[] }> {
  requireAdmin(ctx);
  const rows = await ctx.db.selectFrom('webhook_inbound').selectAll().orderBy('created_at').orderBy('id').execute();
  return { items: rows.map(toHook) };
}

export async function getInboundHook(ctx: Ctx, id: string): Promise<InboundHook> {
  requireAdmin(ctx);
  return toHook(await hookRow(ctx, id));
}

/** Creates a hook and its secret URL, which this answer alone shows. Audited (never the token). */
export async function createInboundHook(ctx: Ctx, input: CreateInboundHook): Promise<InboundHookWithToken> {
  const actor = requireAdmin(ctx);
  const keyField = input.mode === 'upsert' ? (input.keyField ?? null) : null;
  await checkBinding(ctx, { ...input, keyField });
  const { token, hash, hint } = newToken();
  return inTransaction(ctx, async (tx) => {
    const row = await tx.db
      .insertInto('webhook_inbound')
      .values({
        id: uuidv7(),
        name: input.name,
        description: input.description ?? null,
        object: input.object,
        mode: input.mode,
        key_field: keyField,
        mapping: jsonb(input.mapping),
        active: input.active,
        token_hash: hash,
        token_hint: hint,
        last_used_at: null,
        created_by: actor.userId,
        updated_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'webhooks.inbound.create', targetType: 'webhook_inbound', targetId: row.id, details: { name: input.name, object: input.object, mode: input.mode } });
    return withToken(row, token);
  });
}

/** Changes what is given; the settings that result are checked as a whole. The token stays. */
export async function updateInboundHook(ctx: Ctx, id: string, input: UpdateInboundHook): Promise<InboundHook> {
  requireAdmin(ctx);
  return inTransaction(ctx, async (tx) => {
    const current = await hookRow(tx, id, true);
    const next = {
      object: input.object ?? current.object,
      mode: input.mode ?? current.mode,
      keyField: input.keyField !== undefined ? input.keyField : current.key_field,
      mapping: input.mapping ?? (current.mapping as Record<string, string>),
    };
    if (next.mode === 'create') next.keyField = null;
    await checkBinding(tx, next);
    const row = await tx.db
      .updateTable('webhook_inbound')
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.active !== undefined && { active: input.active }),
        object: next.object,
        mode: next.mode,
        key_field: next.keyField,
        mapping: jsonb(next.mapping),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'webhooks.inbound.update', targetType: 'webhook_inbound', targetId: id, details: { changed: Object.keys(input) } });
    return toHook(row);
  });
}

export async function deleteInboundHook(ctx: Ctx, id: string): Promise<void> {
  requireAdmin(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await hookRow(tx, id, true);
    await tx.db.deleteFrom('webhook_inbound').where('id', '=', id).execute();
    await appendAudit(tx, { action: 'webhooks.inbound.delete', targetType: 'webhook_inbound', targetId: id, details: { name: row.name } });
  });
}

/** A new secret URL; the old one answers 404 from now on. */
export async function rotateInboundToken(ctx: Ctx, id: string): Promise<InboundHookWithToken> {
  requireAdmin(ctx);
  const { token, hash, hint } = newToken();
  return inTransaction(ctx, async (tx) => {
    await hookRow(tx, id, true);
    const row = await tx.db.updateTable('webhook_inbound').set({ token_hash: hash, token_hint: hint, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'webhooks.inbound.rotate_token', targetType: 'webhook_inbound', targetId: id });
    return withToken(row, token);
  });
}

/** The hook a token opens, or null; the token is compared by its hash, as API tokens are. */
export async function hookByToken(ctx: Ctx, token: string): Promise<InboundRow | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  return (await ctx.db.selectFrom('webhook_inbound').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst()) ?? null;
}
