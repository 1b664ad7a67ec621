import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { startTestPlatform, type TestPlatform } from '../testing/index.ts';

/**
 * The job queue wakes workers by NOTIFY when a job is sent, and polls only as a backstop (every 30 s for
 * ordinary kinds, every second for kinds of delayed jobs). These tests allow far less than a backstop
 * poll, so they pass only if the wake-ups work: they measure whether, not how fast.
 */
let t: TestPlatform;
let ctx: Ctx;
const ran: { kind: string; id: string; at: number }[] = [];
const record = (kind: string) => async (_: unknown, message: { jobId: string }) => {
  ran.push({ kind, id: message.jobId, at: Date.now() });
};

async function send(kind: string, ids: string[], startAfter?: Date): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    for (const id of ids) await tx.platform.jobs.send(tx, kind, { workspaceId: tx.workspace.id, jobId: id }, startAfter ? { startAfter } : {});
  });
}

async function ranAll(ids: string[], ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (ids.every((id) => ran.some((r) => r.id === id))) return;
  }
  throw new Error(`not run within ${ms} ms: ${ids.filter((id) => !ran.some((r) => r.id === id)).length} of ${ids.length}`);
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
  await t.platform.jobs.stop();
  t.platform.jobs.register('test.single', record('single'));
  t.platform.jobs.register('test.many', record('many'), { concurrency: 4 });
  t.platform.jobs.register('test.later', record('later'), { delayed: true });
  await t.platform.jobs.start(t.platform, { work: true });
});
afterAll(() => t.close());

describe('the job queue', () => {
  it('runs a job as soon as the transaction that sent it commits, woken by NOTIFY', async () => {
    await send('test.single', ['now-1']);
    await ranAll(['now-1'], 10_000);
  });

  it('never runs a job whose transaction rolled back', async () => {
    await inTransaction(ctx, async (tx) => {
      await tx.platform.jobs.send(tx, 'test.single', { workspaceId: tx.workspace.id, jobId: 'rolled-back' });
      throw new Error('roll back');
    }).catch(() => {});
    await send('test.single', ['after-rollback']);
    await ranAll(['after-rollback'], 10_000);
    expect(ran.some((r) => r.id === 'rolled-back')).toBe(false);
  });

  it('drains a backlog without pausing a polling interval after each fetch, one at a time or several', async () => {
    const single = Array.from({ length: 30 }, (_, i) => `single-${i}`);
    const many = Array.from({ length: 60 }, (_, i) => `many-${i}`);
    await send('test.single', single);
    await send('test.many', many);
    await ranAll([...single, ...many], 20_000);
  });

  it('runs a delayed job when it falls due, not before', async () => {
    const due = new Date(Date.now() + 2000);
    await send('test.later', ['later-1'], due);
    await ranAll(['later-1'], 10_000);
    expect(ran.find((r) => r.id === 'later-1')!.at).toBeGreaterThanOrEqual(due.getTime() - 50);
  });
});
