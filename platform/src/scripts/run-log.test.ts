import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction, systemCtx, type Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { capLogs, purgeExpiredRuns, recordRun, RUN_LOG_MAX_BYTES, RUN_LOG_MAX_ENTRIES, type ScriptRunEntry } from './run-log.ts';

let t: TestPlatform;
let admin: ApiClient;
let ctx: Ctx;
const RUNS = '/api/v1/scripts/runs';
const DAY = 86_400_000;

function entry(overrides: Partial<ScriptRunEntry> = {}): ScriptRunEntry {
  return {
    id: uuidv7(),
    script: 'notify_owner',
    kind: 'trigger',
    metaVersion: 3,
    trigger: 'record.created',
    object: 'deal',
    recordId: uuidv7(),
    runAs: 'system',
    userId: null,
    dryRun: false,
    startedAt: new Date().toISOString(),
    durationMs: 12.5,
    status: 'ok',
    error: null,
    usage: { cpuMs: 3, wallMs: 12.5, memoryBytes: 1_048_576, hostCalls: 2, recordsRead: 1, recordsWritten: 1, httpCalls: 0, logBytes: 5 },
    logs: [{ level: 'log', message: 'hello' }],
    ...overrides,
  };
}

const count = async () => Number((await ctx.db.selectFrom('script_runs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  ctx = systemCtx(t.platform, t.platform.workspaces.list()[0]!);
});
afterAll(() => t.close());

describe('retention', () => {
  // First, while this process has not purged this workspace yet: the first run recorded purges.
  it('the first run recorded in a while purges what is past retention, in the background; later ones within the hour do not', async () => {
    const old = entry({ startedAt: new Date(Date.now() - 31 * DAY).toISOString() });
    const recent = entry({ startedAt: new Date(Date.now() - 29 * DAY).toISOString() });
    await recordRun(ctx, old);
    await recordRun(ctx, recent);
    const exists = async (id: string) => !!(await ctx.db.selectFrom('script_runs').select('id').where('id', '=', id).executeTakeFirst());
    for (let i = 0; i < 100 && (await exists(old.id)); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await exists(old.id)).toBe(false);
    expect(await exists(recent.id)).toBe(true);

    const again = entry({ startedAt: new Date(Date.now() - 40 * DAY).toISOString() });
    await recordRun(ctx, again);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await exists(again.id)).toBe(true);
    expect(await purgeExpiredRuns(ctx)).toBe(1);
    expect(await exists(again.id)).toBe(false);
    expect(await exists(recent.id)).toBe(true);
  });

  it('follows the workspace\'s run log days, deleting in batches', async () => {
    await ctx.db.deleteFrom('script_runs').execute();
    const ages = [0.5, 2.5, 6, 8];
    for (const days of ages) await recordRun(ctx, entry({ startedAt: new Date(Date.now() - days * DAY).toISOString() }));
    // More than a batch (1000) between 1 and 7 days old, written at once.
    const threeDaysAgo = new Date(Date.now() - 3 * DAY);
    const bulk = Array.from({ length: 1500 }, () => ({
      id: uuidv7(), script: 'bulk', kind: 'trigger', trigger: 'record.created', run_as: 'system' as const, dry_run: false,
      started_at: threeDaysAgo, duration_ms: 1, status: 'ok' as const, usage: jsonb(entry().usage), logs: jsonb([]),
    }));
    await ctx.db.insertInto('script_runs').values(bulk).execute();
    expect(await count()).toBe(1504);
    expect((await admin.request('PUT', '/api/v1/scripts/settings', { body: { limits: {}, httpAllowList: [], runLogDays: 7 } })).status).toBe(200);
    expect(await purgeExpiredRuns(ctx)).toBe(1);
    expect((await admin.request('PUT', '/api/v1/scripts/settings', { body: { limits: {}, httpAllowList: [], runLogDays: 1 } })).status).toBe(200);
    expect(await purgeExpiredRuns(ctx)).toBe(1502);
    expect(await count()).toBe(1);
    await admin.request('PUT', '/api/v1/scripts/settings', { body: { limits: {}, httpAllowList: [], runLogDays: 30 } });
    await ctx.db.deleteFrom('script_runs').execute();
  });
});

describe('recording and reading runs', () => {
  it('records a run and gives it back in the list and by id, as recorded', async () => {
    const failed = entry({
      script: 'sync_erp',
      status: 'failed',
      runAs: 'user',
      userId: (await ctx.db.selectFrom('users').select('id').where('login', '=', 'admin').executeTakeFirstOrThrow()).id,
      metaVersion: null,
      dryRun: true,
      object: null,
      recordId: null,
      error: { code: 'SCRIPT_CPU_LIMIT', message: 'used more than 1000 ms of CPU' },
      usage: { cpuMs: 1000.25, wallMs: 1002, memoryBytes: null, hostCalls: 0, recordsRead: 0, recordsWritten: 0, httpCalls: 0, logBytes: 0 },
      logs: [],
    });
    await recordRun(ctx, failed);
    const got = await admin.get(`${RUNS}/${failed.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(failed);
    const list = await admin.get(RUNS);
    expect(list.body).toEqual({ items: [failed], nextCursor: null });
  });

  it('records inside a transaction too, gone with its rollback', async () => {
    const kept = entry();
    await inTransaction(ctx, (tx) => recordRun(tx, kept));
    const lost = entry();
    await expect(inTransaction(ctx, async (tx) => {
      await recordRun(tx, lost);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect((await admin.get(`${RUNS}/${kept.id}`)).status).toBe(200);
    expect((await admin.get(`${RUNS}/${lost.id}`)).status).toBe(404);
  });

  it('filters by script and status, newest first, and pages with a cursor', async () => {
    await ctx.db.deleteFrom('script_runs').execute();
    const start = Date.now() - 60_000;
    const runs = Array.from({ length: 7 }, (_, i) =>
      entry({ script: i % 2 ? 'b' : 'a', status: i % 3 ? 'ok' : 'failed', error: i % 3 ? null : { code: 'X', message: 'y' }, startedAt: new Date(start + i * 1000).toISOString() }),
    );
    // Two runs in the same millisecond: the id breaks the tie, so paging neither skips nor repeats one.
    runs.push(entry({ script: 'a', startedAt: runs[6]!.startedAt as string }));
    for (const run of runs) await recordRun(ctx, run);
    const newestFirst = [...runs].sort((x, y) => String(y.startedAt).localeCompare(String(x.startedAt)) || y.id.localeCompare(x.id));

    const ids = (body: { items: { id: string }[] }) => body.items.map((r) => r.id);
    expect(ids((await admin.get(RUNS)).body)).toEqual(newestFirst.map((r) => r.id));
    expect(ids((await admin.get(`${RUNS}?script=b`)).body)).toEqual(newestFirst.filter((r) => r.script === 'b').map((r) => r.id));
    expect(ids((await admin.get(`${RUNS}?status=failed`)).body)).toEqual(newestFirst.filter((r) => r.status === 'failed').map((r) => r.id));
    expect(ids((await admin.get(`${RUNS}?script=a&status=ok`)).body)).toEqual(newestFirst.filter((r) => r.script === 'a' && r.status === 'ok').map((r) => r.id));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await admin.get(`${RUNS}?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(newestFirst.map((r) => r.id));

    for (const bad of ['?status=weird', '?limit=0', '?limit=201', '?cursor=nonsense', '?script=']) {
      expect((await admin.get(`${RUNS}${bad}`)).status, bad).toBe(400);
    }
  });

  it('an unknown run is 404 SCRIPT_RUN_NOT_FOUND, in Chinese for a zh-CN caller', async () => {
    const zh = await admin.get(`${RUNS}/${uuidv7()}`, { headers: { 'accept-language': 'zh-CN' } });
    expect(zh.status).toBe(404);
    expect(zh.body.error).toEqual({ code: 'SCRIPT_RUN_NOT_FOUND', message: '运行日志中没有这次脚本运行：它不存在，或已超过日志保留期限被删除。', details: {} });
    expect((await admin.get(`${RUNS}/not-a-uuid`)).status).toBe(400);
  });
});

describe('logs', () => {
  it('keeps at most 200 entries, the last one saying how many more were left out', async () => {
    const logs = Array.from({ length: 250 }, (_, i) => ({ level: 'info' as const, message: `line ${i}` }));
    const run = entry({ logs });
    await recordRun(ctx, run);
    const stored = (await admin.get(`${RUNS}/${run.id}`)).body.logs;
    expect(stored).toHaveLength(RUN_LOG_MAX_ENTRIES);
    expect(stored[198]).toEqual({ level: 'info', message: 'line 198' });
    expect(stored[199]).toEqual({ level: 'warn', message: expect.stringMatching(/^\[log truncated: 51 more entries not kept/) });
    expect(capLogs(logs.slice(0, 200))).toEqual(logs.slice(0, 200));
  });

  it('keeps at most 64 KB of messages, cutting the entry that crosses it at a whole character', async () => {
    const logs = Array.from({ length: 10 }, () => ({ level: 'log' as const, message: '汉'.repeat(10_000) }));
    const capped = capLogs(logs);
    const bytes = capped.slice(0, -1).reduce((n, l) => n + Buffer.byteLength(l.message), 0);
    expect(bytes).toBeLessThanOrEqual(RUN_LOG_MAX_BYTES);
    expect(bytes).toBeGreaterThan(RUN_LOG_MAX_BYTES - 3);
    expect(capped).toHaveLength(4);
    expect(capped[2]!.message).toMatch(/^汉+$/);
    expect(capped[3]!.message).toMatch(/^\[log truncated: 7 more entries not kept/);
    const run = entry({ logs });
    await recordRun(ctx, run);
    expect((await admin.get(`${RUNS}/${run.id}`)).body.logs).toEqual(capped);
  });

  it('stores what PostgreSQL could not: NUL and lone surrogates in logs and errors', async () => {
    const run = entry({ status: 'failed', error: { code: 'E', message: 'bad \u0000 \ud800' }, logs: [{ level: 'error', message: 'x\u0000y \udc00' }] });
    await recordRun(ctx, run);
    const got = (await admin.get(`${RUNS}/${run.id}`)).body;
    expect(got.error.message).toBe('bad \ufffd \ufffd');
    expect(got.logs).toEqual([{ level: 'error', message: 'x\ufffdy \ufffd' }]);
  });
});
