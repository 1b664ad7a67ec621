import { v7 as uuidv7 } from 'uuid';
import { accessTo, readableRecords } from '../access/index.ts';
import { AppError } from '../core/app-error.ts';
import type { FlowCard } from '../contracts/flow-definitions.ts';
import type { Ctx } from '../core/context.ts';
import { publishedObject } from '../meta/index.ts';
import { appendMessage } from './append.ts';

export type FieldChange = { field: string; old: unknown; new: unknown };

/**
 * Opens a record's thread in the record's own transaction, with its creator, owner and assignees following it and
 * "created" as its first message: there is never a record without its thread.
 */
export async function openRecordThread(tx: Ctx, object: string, recordId: string, creatorId: string | null, followers: unknown[]): Promise<void> {
  const id = uuidv7();
  await tx.db.insertInto('threads').values({ id, kind: 'record', object, record_id: recordId, created_by: creatorId }).execute();
  const people = [...new Set([creatorId, ...followers].filter((p): p is string => typeof p === 'string'))];
  if (people.length) await tx.db.insertInto('thread_members').values(people.map((user_id) => ({ thread_id: id, user_id, role: 'follower' as const }))).execute();
  await appendMessage(tx, id, { kind: 'system', authorId: creatorId, payload: { event: 'record.created', object, recordId } });
}

/** Tracked field changes as one system message in the record's thread (rendered per reader: see `renderFor`). */
export async function postRecordChanges(tx: Ctx, object: string, recordId: string, changes: FieldChange[], authorId: string | null): Promise<void> {
  if (changes.length === 0) return;
  const thread = await recordThreadId(tx, object, recordId);
  await appendMessage(tx, thread, { kind: 'system', authorId, payload: { event: 'record.changed', object, recordId, changes } });
}

/**
 * A script's message in a record's thread: a system message (no person wrote it) with the script's text
 * and name, so readers see which automation spoke.
 */
export async function postScriptMessage(tx: Ctx, object: string, recordId: string, script: string, body: string): Promise<void> {
  const thread = await recordThreadId(tx, object, recordId);
  await appendMessage(tx, thread, { kind: 'system', authorId: null, body, payload: { event: 'script.message', object, recordId, script } });
}

/** A flow's message in a record's thread, as a card when it has one; the people it `mentions` are notified (a flow's notify step). */
export async function postFlowMessage(tx: Ctx, object: string, recordId: string, flow: string, body: string, mentions: string[], card?: FlowCard): Promise<void> {
  const thread = await recordThreadId(tx, object, recordId);
  await appendMessage(tx, thread, { kind: 'system', authorId: null, body, mentions, payload: { event: 'flow.message', object, recordId, flow, ...(card && { card }) } });
}

/** The record's thread id; records made before threads existed get theirs on first use. */
async function recordThreadId(tx: Ctx, object: string, recordId: string): Promise<string> {
  const found = await tx.db.selectFrom('threads').select('id').where('object', '=', object).where('record_id', '=', recordId).executeTakeFirst();
  if (found) return found.id;
  const created = await tx.db
    .insertInto('threads')
    .values({ id: uuidv7(), kind: 'record', object, record_id: recordId })
    .onConflict((oc) => oc.columns(['object', 'record_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return created?.id ?? (await tx.db.selectFrom('threads').select('id').where('object', '=', object).where('record_id', '=', recordId).executeTakeFirstOrThrow()).id;
}

/** Owners and people named in user fields follow the record's thread; adding someone who already follows changes nothing. */
export async function addFollowers(tx: Ctx, object: string, recordId: string, people: unknown[]): Promise<void> {
  if (!people.some((p) => typeof p === 'string')) return;
  await addThreadFollowers(tx, await recordThreadId(tx, object, recordId), people);
}

/** `addFollowers` for a caller that knows the record's thread already. */
export async function addThreadFollowers(tx: Ctx, threadId: string, people: unknown[]): Promise<void> {
  const ids = [...new Set(people.filter((p): p is string => typeof p === 'string'))];
  if (ids.length === 0) return;
  await tx.db
    .insertInto('thread_members')
    .values(ids.map((user_id) => ({ thread_id: threadId, user_id, role: 'follower' as const })))
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doNothing())
    .execute();
}

/** A record's thread goes with the record, in its transaction. */
export async function closeRecordThread(tx: Ctx, object: string, recordId: string): Promise<void> {
  await tx.db.deleteFrom('threads').where('object', '=', object).where('record_id', '=', recordId).execute();
}

/** `GET /api/v1/objects/{object}/records/{id}/thread`: the thread id of a record the user may read (404 otherwise). */
export async function recordThread(ctx: Ctx, objectName: string, recordId: string): Promise<string> {
  const access = await accessTo(ctx, await publishedObject(ctx, objectName));
  if (!(await readableRecords(ctx, access, [recordId])).has(recordId)) throw new AppError('RECORD_NOT_FOUND', 404);
  return recordThreadId(ctx, access.object.name, recordId);
}
