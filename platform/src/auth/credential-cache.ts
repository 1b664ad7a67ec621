import { sql } from 'kysely';
import type { Locale } from '../contracts/index.ts';
import type { Ctx } from '../core/context.ts';
import { errorFields } from '../core/logger.ts';
import type { Database } from '../db/open-database.ts';

/** A live credential and what authenticating a request needs of its user. */
export type Credential = {
  userId: string;
  login: string;
  isAdmin: boolean;
  locale: Locale | null;
  session: { id: string; csrfToken: string } | null;
};

/** Ending sessions, revoking a token or changing a user notifies this channel with `<system schema> <user id>`. */
export const AUTH_CHANNEL = 'threadbase_auth';
/**
 * How long a credential is trusted without asking the database. Revocations reach every process by
 * NOTIFY; this only bounds how long one lost with a dropped LISTEN connection could go unnoticed.
 */
const TTL_MS = 10_000;
const MAX_ENTRIES = 10_000;

type Entry = { schema: string; credential: Credential; until: number };

/** Keyed by the workspace's system schema and the credential's hash, so no secret is kept in memory. */
const entries = new Map<string, Entry>();
/** Bumped by every invalidation, so a lookup that read the database before one does not store its stale result. */
let generation = 0;
/** Per database handle: whether this process hears invalidations; nothing is cached without them. */
const listening = new WeakMap<Database, Promise<boolean>>();

const keyOf = (ctx: Ctx, hash: string) => `${ctx.workspace.schemas.system} ${hash}`;

function drop(schema: string, userId: string): void {
  generation++;
  for (const [key, entry] of entries) if (entry.schema === schema && entry.credential.userId === userId) entries.delete(key);
}

function subscribed(ctx: Ctx): Promise<boolean> {
  const db = ctx.platform.db;
  let ready = listening.get(db);
  if (!ready) {
    const onPayload = (payload: string) => {
      const [schema, userId] = payload.split(' ');
      if (schema && userId) drop(schema, userId);
    };
    ready = db.listen(AUTH_CHANNEL, onPayload).then(
      () => true,
      (error: unknown) => {
        // Nothing is cached until a later request manages to listen.
        listening.delete(db);
        ctx.platform.log.error('cannot listen for revoked credentials; authenticating against the database', errorFields(error));
        return false;
      },
    );
    listening.set(db, ready);
  }
  return ready;
}

/** The cached credential with this hash, if still fresh; `since` marks the start of a lookup for `remember`. */
export async function recall(ctx: Ctx, hash: string): Promise<{ credential: Credential | null; since: number }> {
  if (!(await subscribed(ctx))) return { credential: null, since: -1 };
  const key = keyOf(ctx, hash);
  const entry = entries.get(key);
  if (entry && entry.until > Date.now()) return { credential: entry.credential, since: generation };
  if (entry) entries.delete(key);
  return { credential: null, since: generation };
}

/** Keeps a credential just read from the database, unless an invalidation came in since the read began. */
export function remember(ctx: Ctx, hash: string, credential: Credential, expiresAt: Date | null, since: number): void {
  if (since !== generation) return;
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  const until = Math.min(Date.now() + TTL_MS, expiresAt ? new Date(expiresAt).getTime() : Infinity);
  entries.set(keyOf(ctx, hash), { schema: ctx.workspace.schemas.system, credential, until });
}

/**
 * Every process forgets the user's cached credentials: call it in the transaction that ends sessions,
 * revokes a token or changes the user. Other processes hear it by NOTIFY once the transaction commits;
 * this one forgets right after the commit, before the change is reported done.
 */
export async function forgetCredentials(ctx: Ctx, userId: string): Promise<void> {
  const schema = ctx.workspace.schemas.system;
  await sql`select pg_notify(${AUTH_CHANNEL}, ${`${schema} ${userId}`})`.execute(ctx.db);
  const forget = () => drop(schema, userId);
  if (ctx.afterCommit) ctx.afterCommit.push(forget);
  else forget();
}
