import { sql } from 'kysely';
import { appendAudit } from '../audit/index.ts';
import type { ApiToken, CreateApiToken, CreatedApiToken } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { forgetCredentials } from './credential-cache.ts';
import { API_TOKEN_PREFIX, hashSecret, newSecret } from './secrets.ts';

type TokenRow = { id: string; name: string; hint: string; created_at: Date; last_used_at: Date | null; expires_at: Date | null };

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toApiToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    hint: row.hint,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    expiresAt: iso(row.expires_at),
  };
}

export async function createApiToken(ctx: Ctx, userId: string, input: CreateApiToken): Promise<CreatedApiToken> {
  const secret = newSecret(API_TOKEN_PREFIX);
  return inTransaction(ctx, async (tx) => {
    const row = await tx.db
      .insertInto('api_tokens')
      .values({
        user_id: userId,
        name: input.name,
        token_hash: hashSecret(secret),
        hint: secret.slice(-4),
        expires_at: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
      })
      .returning(['id', 'name', 'hint', 'created_at', 'last_used_at', 'expires_at'])
      .executeTakeFirstOrThrow();
    await appendAudit(tx, { action: 'token.create', targetType: 'api_token', targetId: row.id, details: { name: input.name } });
    return { token: toApiToken(row), secret };
  });
}

/** Live tokens only: revoked and expired ones are gone from the user's point of view. */
export async function listApiTokens(ctx: Ctx, userId: string): Promise<ApiToken[]> {
  const rows = await ctx.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'hint', 'created_at', 'last_used_at', 'expires_at'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toApiToken);
}

export async function revokeApiToken(ctx: Ctx, userId: string, id: string): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    const result = await tx.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new AppError('TOKEN_NOT_FOUND', 404);
    await forgetCredentials(tx, userId);
    await appendAudit(tx, { action: 'token.revoke', targetType: 'api_token', targetId: id });
  });
}

/** Resolves the hash of a bearer token to its user and records when it was last used (at most once a minute). */
export async function findApiTokenUser(ctx: Ctx, tokenHash: string): Promise<{ userId: string; expiresAt: Date | null } | null> {
  const row = await ctx.db
    .selectFrom('api_tokens')
    .select(['id', 'user_id', 'last_used_at', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  if (!row) return null;
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000) {
    await ctx.db.updateTable('api_tokens').set({ last_used_at: new Date() }).where('id', '=', row.id).execute();
  }
  return { userId: row.user_id, expiresAt: row.expires_at };
}
