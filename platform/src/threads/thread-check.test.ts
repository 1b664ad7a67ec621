import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, ok, type AccessWorld } from '../access/access-fixture.ts';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { threadAndMembership } from './thread-check.ts';

let w: AccessWorld;
let ctx: Ctx;
let group: string;
beforeAll(async () => {
  w = await accessWorld();
  ctx = systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
  group = ok(await w.as.ann.post('/api/v1/threads', { title: 'checked', memberIds: [w.users.bob] }), 201).id;
}, 120_000);
afterAll(() => w.t.close());

/** `ctx` with its statements counted, by table. */
function counting(of: Ctx) {
  const counts: Record<string, number> = {};
  const db = new Proxy(of.db, {
    get: (target, key, receiver) =>
      key === 'selectFrom'
        ? (table: string) => {
            counts[table] = (counts[table] ?? 0) + 1;
            return target.selectFrom(table as never);
          }
        : Reflect.get(target, key, receiver),
  });
  return { ctx: { ...of, db } as Ctx, counts };
}

describe('the check every message sent makes: its thread, and its sender\'s membership', () => {
  it('answers each of many senders asking at once with their own membership, in a few queries rather than two each', async () => {
    const { ctx: counted, counts } = counting(ctx);
    const askers = [w.users.ann, w.users.bob, w.users.carl, w.users.ann, w.users.bob, w.users.carl, w.users.ann, w.users.bob, w.users.carl, w.users.ann];
    const answers = await Promise.all(askers.map((user) => threadAndMembership(counted, group, user)));
    answers.forEach((answer, i) => {
      expect(answer.thread?.id).toBe(group);
      const expected = { [w.users.ann]: 'owner', [w.users.bob]: 'member' }[askers[i]!] ?? null;
      expect(answer.membership?.role ?? null).toBe(expected);
    });
    // The first asker's check alone, then everyone who asked meanwhile in one more.
    expect(counts).toEqual({ threads: 2, thread_members: 2 });
  });

  it('answers that a thread does not exist, to everyone who asked about it', async () => {
    const missing = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
    const answers = await Promise.all([w.users.ann, w.users.bob].map((user) => threadAndMembership(ctx, missing, user)));
    expect(answers).toEqual([
      { thread: undefined, membership: null },
      { thread: undefined, membership: null },
    ]);
  });

  it('fails every asker of a round whose check failed, and the next round is checked afresh', async () => {
    const broken = await Promise.allSettled([threadAndMembership(ctx, 'not-a-uuid', w.users.ann), threadAndMembership(ctx, 'not-a-uuid', w.users.bob)]);
    expect(broken.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await threadAndMembership(ctx, group, w.users.bob)).membership?.role).toBe('member');
  });

  it('inside a transaction, sees what the transaction wrote', async () => {
    const seen = await inTransaction(ctx, async (tx) => {
      await tx.db.insertInto('thread_members').values({ thread_id: group, user_id: w.users.dan, role: 'member' }).execute();
      return threadAndMembership(tx, group, w.users.dan);
    });
    expect(seen.membership?.role).toBe('member');
  });
});
