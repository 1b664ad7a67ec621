import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../access/access-fixture.ts';
import { setPassword } from '../auth/index.ts';
import { inTransaction, systemCtx } from '../core/context.ts';
import { createUser } from '../org/index.ts';
import { loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { createWorkspace } from '../workspaces/create-workspace.ts';

/**
 * Every file in fixtures/hostile is a script an administrator could save that attacks the platform's
 * side of the sandbox: its bindings, access checks, governor limits, secrets and save hooks. Its header:
 *   // attacks: …                 what it tries
 *   // expect: ok | CODE > CODE   the run's outcome: ok, or its error code then that error's details.code
 *   // value: <JSON>              with ok: exactly this value
 *   // run: test | button | before_save | after_save
 *                                 an admin's test run (default), a button pressed by the member ann on her
 *                                 deal, or a save script on an object of its own that ann creates a record of
 *   // on: deal                   a save script on deals instead, run when ann changes her deal with…
 *   // trigger: <JSON>            …these values
 *   // runAs: system              the script runs as system (default: as the user)
 *   // record: annDeal            the test run's record
 *   // limits: <JSON>             governor limits on top of LIMITS, for this fixture only
 *   // private: on                the operator lets allowed hosts be private addresses (TB_SCRIPT_HTTP_PRIVATE)
 *   // records: N | <JSON>        records of the save script's object afterwards (or of each object named)
 *   // shows: ***                 the logs or the error show this (a redacted secret)
 *   // never: …                   this must not appear either (the start of a secret)
 *   // within: MS                 the run answers within this many milliseconds
 *   // bug: …                     a platform bug this fixture shows: the test is expected to fail (it.fails)
 *   // bug-on: postgres           …on this database only
 * Fixtures carry `// @ts-nocheck`: they use the sandbox's globals and are ill-typed on purpose, and
 * `tsc -b` would otherwise check them with the platform's own code. Placeholders like {{annDeal}} are
 * filled in with the ids and ports of this test's world before the scripts are published.
 *
 * After each run: nothing the running user may not see is in the answer or the run log (the hidden
 * margin, the other workspace's data, secret values), nothing changed that the run may not change, no
 * server that is not allowed was reached, and a normal script still runs, as an admin's test run and
 * as a member's button.
 */
const dir = new URL('./fixtures/hostile/', import.meta.url);
const fixtures = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();

type Run = 'test' | 'button' | 'before_save' | 'after_save';
type Header = {
  attacks: string;
  expect: string[];
  value?: unknown;
  run: Run;
  runAs: 'user' | 'system';
  on?: string;
  trigger?: Record<string, unknown>;
  record?: string;
  limits?: Record<string, number>;
  private: boolean;
  records?: number | Record<string, number>;
  shows?: string;
  never?: string;
  within?: number;
  bug?: string;
  bugOn?: string;
};

function header(source: string): Header {
  const line = (name: string) => new RegExp(`^// ${name}: (.*)$`, 'm').exec(source)?.[1]?.trim();
  const [attacks, expected] = [line('attacks'), line('expect')];
  if (!source.startsWith('// attacks: ') || !attacks || !expected) throw new Error('a hostile fixture starts with "// attacks: …" and "// expect: …"');
  const json = (name: string) => (line(name) === undefined ? undefined : JSON.parse(line(name)!));
  return {
    attacks,
    expect: expected.split('>').map((code) => code.trim()),
    value: json('value'),
    run: (line('run') ?? 'test') as Run,
    runAs: line('runAs') === 'system' ? 'system' : 'user',
    on: line('on'),
    trigger: json('trigger'),
    record: line('record'),
    limits: json('limits'),
    private: line('private') === 'on',
    records: json('records'),
    shows: line('shows'),
    never: line('never'),
    within: json('within'),
    bug: line('bug'),
    bugOn: line('bug-on'),
  };
}

const isSave = (run: Run) => run === 'before_save' || run === 'after_save';
const sourceOf = (file: string) => fs.readFileSync(new URL(file, dir), 'utf8');
/** The fixtures with their script names (the file's, with _ for -) and headers. */
const table = fixtures.map((file) => ({ file, name: file.replace(/\.ts$/, '').replaceAll('-', '_'), h: header(sourceOf(file)) }));

const DIALECT = process.env.DATABASE_URL ? 'postgres' : 'pglite';
const DEALS = '/api/v1/objects/deal/records';
const LIMITS = { cpuMs: 500, wallMs: 3000, hostCalls: 60, recordsRead: 20, recordsWritten: 5, httpCalls: 3, logBytes: 16 * 1024 };
const MARGIN = '7777.77';
const WS2_TITLE = 'WS2-CLASSIFIED-7d1e';
const SECRETS = { API_TOKEN: 'tb-secret-9f3c1a7e-do-not-leak', DB_PASSWORD: 'pa"ss\\w0rd-9b2e4d' };
const WS2_SECRET = 'ws2-secret-value-c0ffee';
/** What must never appear: the other workspace's data and every secret value (its distinctive end, for one shown escaped). */
const NEVER = [WS2_TITLE, SECRETS.API_TOKEN, 'w0rd-9b2e4d', WS2_SECRET];
const NORMAL = `export default async function () {
  const again = await records.get('deal', ctx.record.id);
  return { title: ctx.record.title, same: again?.title === ctx.record.title, user: ctx.user.login };
}`;

const memberPermissions = [
  { object: 'deal', create: true, read: 'department', edit: 'own', delete: 'own', fields: { margin: 'hidden', amount: 'read' } },
  { object: 'ledger', create: false, read: 'all' },
  { object: '*', create: true, read: 'all', edit: 'own', delete: 'own' },
];
const deal = objectDef('deal', 'title', [
  field('title', 'text', { required: true }),
  field('amount', 'decimal', { precision: 12, scale: 2 }),
  field('margin', 'decimal', { precision: 12, scale: 2 }),
  field('margin_pct', 'formula', { expression: 'ROUND(margin / amount, 2)', resultType: 'decimal' }),
  field('double_amount', 'formula', { expression: 'amount * 2', resultType: 'decimal' }),
  field('note', 'text'),
]);
const titled = (name: string, ...fields: Record<string, unknown>[]) => objectDef(name, 'title', [field('title', 'text'), ...fields]);

let t: TestPlatform;
let admin: ApiClient;
let ann: ApiClient;
let ws2: ApiClient;
const ids: Record<string, string> = {};
const hits = { allowed: 0, other: 0, hangClosed: 0 };
const servers: Server[] = [];

function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const fill = (source: string) =>
  source.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (ids[key] === undefined) throw new Error(`no {{${key}}} in this world`);
    return ids[key];
  });

function definition({ file, name, h: { run, runAs, on } }: (typeof table)[number]) {
  const common = { name, label: label(name), source: fill(sourceOf(file)), runAs };
  if (!isSave(run)) return { ...common, kind: 'button', object: 'deal', button: { label: label(name) } };
  return on ? { ...common, kind: run, object: on, events: ['update'] } : { ...common, kind: run, object: name };
}

const settings = (limits: Record<string, number>) => ({
  limits,
  httpAllowList: [`127.0.0.1:${ids.port}`, `localhost:${ids.port}`, `[::1]:${ids.port}`, `0.0.0.0:${ids.port}`, `[::ffff:7f00:1]:${ids.port}`, '169.254.169.254', '10.0.0.1', 'api.example.com'],
  runLogDays: 30,
});

async function publish(scripts: unknown[], objects: unknown[]) {
  ok(await admin.request('PUT', '/api/v1/meta/draft', { body: { objects, scripts } }));
  ok(await admin.post('/api/v1/meta/publish'));
}

async function person(login: string, departmentId: string) {
  ids[`${login}User`] = ok(await admin.post('/api/v1/org/users', { login, displayName: login, password: 'member-password-1', mainDepartmentId: departmentId }), 201).id;
  const client = await loginAs(t.app, login, 'member-password-1');
  ids[`${login}Deal`] = ok(await client.post(DEALS, { title: `${login}'s deal` }), 201).id;
  ok(await admin.patch(`${DEALS}/${ids[`${login}Deal`]}`, { amount: '1000', margin: MARGIN }));
  return client;
}

/** A second workspace with a deal, an object the first one lacks and a secret. */
async function secondWorkspace() {
  const acme = await createWorkspace(t.platform, { slug: 'acme', name: 'Acme', hosts: [] });
  await inTransaction(systemCtx(t.platform, acme), async (tx) => {
    const user = await createUser(tx, { login: 'admin', displayName: 'Acme admin', email: null, phone: null, locale: 'en', jobTitle: null, mainDepartmentId: null, departmentIds: [], managerId: null, isAdmin: true });
    await setPassword(tx, user.id, 'acme-password-1');
  });
  ws2 = await loginAs(t.app, 'admin', 'acme-password-1', { 'x-workspace': 'acme' });
  ok(await ws2.request('PUT', '/api/v1/meta/draft', { body: { objects: [deal, titled('vault')] } }));
  ok(await ws2.post('/api/v1/meta/publish'));
  ids.ws2Deal = ok(await ws2.post(DEALS, { title: WS2_TITLE, margin: MARGIN }), 201).id;
  ids.ws2Vault = ok(await ws2.post('/api/v1/objects/vault/records', { title: WS2_TITLE }), 201).id;
  ids.ws2Title = WS2_TITLE;
  ok(await ws2.request('PUT', '/api/v1/scripts/secrets/WS2_ONLY_KEY', { body: { value: WS2_SECRET } }));
}

/** What no fixture may change: the deals (as an admin sees them), the other workspace's deal, the counts, ann's thread. */
async function snapshot() {
  const deals = ok(await admin.get(`${DEALS}?limit=200`)).items.map((d: Record<string, unknown>) => [d.id, d.title, d.amount, d.margin, d.note, d.owner, d.version]);
  const count = async (object: string) => ok(await admin.get(`/api/v1/objects/${object}/records?limit=200`)).items.length;
  const thread = ok(await admin.get(`${DEALS}/${ids.annDeal}/thread`)).id;
  return {
    deals,
    items: await count('item'),
    ledger: await count('ledger'),
    ws2: ok(await ws2.get(`${DEALS}/${ids.ws2Deal}`)),
    messages: ok(await admin.get(`/api/v1/threads/${thread}/messages?limit=200`)).items.length,
    hostPrototype: Object.getOwnPropertyNames(Object.prototype).sort(),
    polluted: ({} as Record<string, unknown>).polluted ?? null,
  };
}

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  ids.port = String(await listen((req, res) => {
    hits.allowed++;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/redirect') res.writeHead(302, { location: url.searchParams.get('to')! }).end();
    else if (url.pathname === '/hang') req.socket.on('close', () => hits.hangClosed++);
    else res.end('fine');
  }));
  ids.otherPort = String(await listen((_req, res) => {
    hits.other++;
    res.end('stolen');
  }));
  const saveObjects = table.filter(({ h }) => isSave(h.run) && !h.on).map(({ name }) => titled(name, field('counter', 'integer'), field('note', 'text')));
  const objects = [deal, titled('item'), titled('ledger'), ...saveObjects];
  const normal = { name: 'normal', label: label('normal'), kind: 'button', object: 'deal', button: { label: label('normal') }, source: NORMAL };
  await publish([normal], objects);
  const department = async (name: string) => ok(await admin.post('/api/v1/org/departments', { name }), 201).id as string;
  const [east, west] = [await department('East'), await department('West')];
  const member = (ok(await admin.get('/api/v1/access/roles')).items as { id: string; key: string }[]).find((r) => r.key === 'member')!.id;
  ok(await admin.patch(`/api/v1/access/roles/${member}`, { permissions: memberPermissions }));
  ann = await person('ann', east);
  await person('bob', east);
  await person('carl', west);
  for (let i = 0; i < 25; i++) ok(await admin.post('/api/v1/objects/item/records', { title: `item ${i}` }), 201);
  await secondWorkspace();
  for (const [name, value] of Object.entries(SECRETS)) ok(await admin.request('PUT', `/api/v1/scripts/secrets/${name}`, { body: { value } }));
  ok(await admin.request('PUT', '/api/v1/scripts/settings', { body: settings(LIMITS) }));
  await publish([normal, ...table.map(definition)], objects);
}, 120_000);

afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await t?.close();
});

/** Runs the fixture where its header says; answers its outcome as a chain of codes, its value and everything it showed. */
async function run(name: string, h: Header): Promise<{ chain: string[]; value?: unknown; shown: unknown[]; effects?: { records: unknown[]; http: unknown[] } }> {
  const chainOf = (error: { code: string; details?: { code?: unknown } }) => [error.code, ...(typeof error.details?.code === 'string' ? [error.details.code] : [])];
  if (h.run === 'test') {
    const body = ok(await admin.post(`/api/v1/scripts/${name}/test-run`, h.record ? { recordId: ids[h.record] } : {}));
    return { chain: body.ok ? ['ok'] : chainOf(body.error), value: body.value, shown: [body, await loggedRun(body.runId)], effects: body.effects };
  }
  const res =
    h.run === 'button'
      ? await ann.post(`${DEALS}/${ids.annDeal}/actions/${name}`)
      : h.on
        ? await ann.patch(`/api/v1/objects/${h.on}/records/${ids.annDeal}`, h.trigger)
        : await ann.post(`/api/v1/objects/${name}/records`, { title: 'trigger' });
  const runs = ok(await admin.get(`/api/v1/scripts/runs?script=${name}&limit=50`)).items;
  if (res.status < 300) return { chain: ['ok'], value: h.run === 'button' ? res.body.value : undefined, shown: [res.body, runs] };
  return { chain: chainOf(res.body.error), shown: [res.body, runs] };
}

/** A run inside a transaction (a test run, a save) is logged beside it: wait for the entry. */
async function loggedRun(runId: string) {
  for (let i = 0; i < 50; i++) {
    const res = await admin.get(`/api/v1/scripts/runs/${runId}`);
    if (res.status === 200) return res.body;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`run ${runId} was not logged`);
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* [k, ...strings(v)];
}

describe('hostile platform scripts', () => {
  it('there are at least 30 of them, each saying what it attacks and how it must end', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    for (const file of fixtures) expect(() => header(sourceOf(file)), file).not.toThrow();
  });

  for (const { file, name, h } of table) {
    // A fixture with a `bug:` line shows a platform bug (see its header and the report): expected to fail until fixed.
    const test = h.bug && (!h.bugOn || h.bugOn === DIALECT) ? it.fails : it;
    test(`${file}: ${h.attacks}`, { timeout: 30_000 }, async () => {
      const before = await snapshot();
      Object.assign(hits, { allowed: 0, other: 0, hangClosed: 0 });
      const limits = { ...LIMITS, ...h.limits };
      if (h.limits) ok(await admin.request('PUT', '/api/v1/scripts/settings', { body: settings(limits) }));
      t.platform.config.scriptHttpPrivate = h.private;
      let outcome: Awaited<ReturnType<typeof run>>;
      const started = performance.now();
      try {
        outcome = await run(name, h);
        if (h.within) expect(performance.now() - started).toBeLessThan(h.within);
      } finally {
        t.platform.config.scriptHttpPrivate = false;
        if (h.limits) ok(await admin.request('PUT', '/api/v1/scripts/settings', { body: settings(LIMITS) }));
      }

      expect(outcome.chain.slice(0, h.expect.length), JSON.stringify(outcome.shown[0])).toEqual(h.expect);
      if (h.value !== undefined) expect(outcome.value).toEqual(h.value);
      const shown = [...strings(outcome.shown)];
      const never = [...NEVER, ...(h.run === 'test' ? [] : [MARGIN]), ...(h.never ? [h.never] : [])];
      for (const secret of never) expect(shown.filter((s) => s.includes(secret)), `${secret} leaked`).toEqual([]);
      if (h.shows) expect(shown.some((s) => s.includes(h.shows!))).toBe(true);
      const counts = typeof h.records === 'number' ? { [name]: h.records } : (h.records ?? {});
      for (const [object, n] of Object.entries(counts)) expect(ok(await admin.get(`/api/v1/objects/${object}/records?limit=200`)).items, object).toHaveLength(n);

      expect(outcome.effects?.records.length ?? 0).toBeLessThanOrEqual(limits.recordsWritten);
      expect(outcome.effects?.http.length ?? 0).toBeLessThanOrEqual(limits.httpCalls);
      expect(hits.other, 'a server that is not allowed was reached').toBe(0);
      if (!h.private) expect(hits.allowed, 'a private address was reached').toBe(0);
      // The hung call's connection is closed when the run ends, not left to the server's timeout.
      if (file.includes('hung')) await expect.poll(() => hits.hangClosed, { timeout: 2000 }).toBe(1);
      expect(await snapshot()).toEqual(before);

      const tested = ok(await admin.post('/api/v1/scripts/normal/test-run', { recordId: ids.annDeal }));
      expect(tested.ok ? tested.value : tested.error).toEqual({ title: "ann's deal", same: true, user: 'admin' });
      const pressed = ok(await ann.post(`${DEALS}/${ids.annDeal}/actions/normal`));
      expect(pressed.value).toEqual({ title: "ann's deal", same: true, user: 'ann' });
    });
  }
});
