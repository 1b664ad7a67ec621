import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { startTestPlatform, type TestPlatform } from '../testing/index.ts';
import { RunEndedError, RunScope } from './run-scope.ts';

let t: TestPlatform;
const ctx = () => systemCtx(t.platform, t.platform.workspaces.list()[0]!);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A row the way a host call writes one (script_secrets is simply a small table of the workspace). */
const put = (name: string) => (tx: Ctx) => tx.db.insertInto('script_secrets').values({ name, value: 'v', updated_at: new Date(), updated_by: null }).execute();
const names = async () => (await ctx().db.selectFrom('script_secrets').select('name').orderBy('name').execute()).map((r) => r.name);

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
});
afterAll(() => t.close());
beforeEach(async () => {
  await ctx().db.deleteFrom('script_secrets').execute();
});

describe("a run's host calls inside its caller's transaction", () => {
  it('each run in a savepoint: a failed call leaves nothing behind, a failed statement does not abort the transaction', async () => {
    await inTransaction(ctx(), async (tx) => {
      const scope = new RunScope(tx);
      await scope.write(put('KEPT'));
      await expect(
        scope.write(async (w) => {
          await put('UNDONE')(w);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      // A duplicate key fails in the database itself: on PostgreSQL that would abort the whole transaction.
      await expect(scope.write(put('KEPT'))).rejects.toThrow();
      await scope.write(put('AFTER'));
      expect(await scope.read((r) => r.db.selectFrom('script_secrets').select('name').orderBy('name').execute())).toEqual([{ name: 'AFTER' }, { name: 'KEPT' }]);
    });
    expect(await names()).toEqual(['AFTER', 'KEPT']);
  });

  it('take turns, so that undoing one call never undoes another that ran beside it', async () => {
    await inTransaction(ctx(), async (tx) => {
      const scope = new RunScope(tx);
      const slowFailure = scope.write(async (w) => {
        await put('SLOW')(w);
        await sleep(30);
        throw new Error('refused');
      });
      const other = scope.write(put('OTHER'));
      expect((await Promise.allSettled([slowFailure, other])).map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    });
    expect(await names()).toEqual(['OTHER']);
  });

  it('are waited for when the run ends, and nothing reaches the transaction after that', async () => {
    await inTransaction(ctx(), async (tx) => {
      const scope = new RunScope(tx);
      const settled = scope.track(() => scope.write(async (w) => (await sleep(30), put('AWAITED')(w))));
      const hung = scope.track(() => scope.write(async (w) => (await sleep(300), put('TOO_LATE')(w))));
      expect(await scope.end(100)).toBe(false);
      await settled;
      await expect(hung).rejects.toBeInstanceOf(RunEndedError);
      await expect(scope.track(() => scope.write(put('AFTER_THE_END')))).rejects.toBeInstanceOf(RunEndedError);
    });
    expect(await names()).toEqual(['AWAITED']);
  });
});

describe("a run's host calls outside a transaction", () => {
  it('write in a transaction of their own, which commits only while the run goes on', async () => {
    const scope = new RunScope(ctx());
    await scope.write(put('COMMITTED'));
    // Its statement got through while the run went on; the run ended before its commit.
    const late = scope.track(() => scope.write(async (w) => (await put('NOT_COMMITTED')(w), await sleep(200))));
    await sleep(20);
    expect(await scope.end(20)).toBe(false);
    await expect(late).rejects.toBeInstanceOf(RunEndedError);
    expect(await names()).toEqual(['COMMITTED']);
  });

  it('are all waited for when they settle in time', async () => {
    const scope = new RunScope(ctx());
    const calls = ['A', 'B', 'C'].map((name) => scope.track(() => scope.write(async (w) => (await sleep(20), put(name)(w)))));
    expect(await scope.end(2000)).toBe(true);
    await Promise.all(calls);
    expect(await names()).toEqual(['A', 'B', 'C']);
  });
});
