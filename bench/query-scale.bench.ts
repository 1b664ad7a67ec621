// B3: an object with 1,000,000 rows and a lookup: filter + sort + page, count, and page with expand,
// each through the records API (in-process, app.request) beside the best hand-written SQL for the same
// result on the same database handle. p50 of sequential requests, on PostgreSQL and on PGlite.
// C: the same three requests by a member whose scope is "own department and those below" (200
// departments, 2,000 owners), beside the administrator's figure from the same run.
import { sql } from 'kysely';
import { startTestPlatform, loginAs } from '../platform/src/testing/index.ts';
import { field, label, objectDef } from '../platform/src/testing/meta-builders.ts';
import { dealObject, median, report, round } from './lib.ts';

const ROWS = 1_000_000;
const ACCOUNTS = 10_000;
const TOP_DEPARTMENTS = 10;
const SUB_DEPARTMENTS = 19;
const PEOPLE_PER_DEPARTMENT = 10;
const SAMPLES = 200;

async function p50(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function measure(dialect: 'postgres' | 'pglite') {
  if (dialect === 'postgres') process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  else delete process.env.DATABASE_URL;
  const t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  try {
    const admin = await loginAs(t.app);
    const objects = [
      objectDef('account', 'name', [field('name', 'text')]),
      dealObject([field('account', 'lookup', { target: 'account', onDelete: 'set_null' })], {
        listViews: [{ name: 'won_by_amount', label: label('Won'), columns: ['title', 'amount'], sort: 'stage,-amount', filter: { field: 'stage', op: 'eq', value: 'won' } }],
      }),
    ];
    await admin.request('PUT', '/api/v1/meta/draft', { body: { objects } });
    if ((await admin.post('/api/v1/meta/publish')).status !== 200) throw new Error('publish failed');
    const data = t.platform.workspaces.list()[0]!.schemas.data;
    const db = t.platform.db.kysely;
    const table = (n: string) => sql.table(`${data}.${n}`);
    const system = (n: string) => sql.table(`${t.platform.workspaces.list()[0]!.schemas.system}.${n}`);
    await sql`insert into ${system('departments')} (name, sort) select 'Region ' || g, g from generate_series(1, ${TOP_DEPARTMENTS}) g`.execute(db);
    await sql`insert into ${system('departments')} (name, parent_id, sort) select 'Team ' || g, d.id, g from ${system('departments')} d, generate_series(1, ${SUB_DEPARTMENTS}) g`.execute(db);
    await sql`insert into ${system('users')} (login, display_name, main_department_id)
      select 'p' || d.sort || '_' || d.id || '_' || g, 'Person ' || g, d.id from ${system('departments')} d, generate_series(1, ${PEOPLE_PER_DEPARTMENT}) g`.execute(db);
    await sql`insert into ${system('user_departments')} (user_id, department_id) select id, main_department_id from ${system('users')} where main_department_id is not null`.execute(db);
    await sql`insert into ${table('account')} (id, name) select gen_random_uuid(), 'Account ' || g from generate_series(1, ${ACCOUNTS}) g`.execute(db);
    // Account and owner ids are gathered once and picked by position, not looked up per row.
    await sql`insert into ${table('deal')} (id, title, amount, stage, account, owner)
      select gen_random_uuid(), 'Deal ' || g, (g % 100000)::numeric / 7, (array['new','won','lost'])[1 + g % 3], ids.a[1 + g % ${ACCOUNTS}], owners.u[1 + g % owners.n]
      from generate_series(1, ${ROWS}) g, (select array_agg(id) as a from ${table('account')}) ids,
        (select array_agg(id) as u, count(*)::int as n from ${system('users')} where main_department_id is not null) owners`.execute(db);
    await sql`analyze ${table('deal')}`.execute(db);
    const filter = encodeURIComponent(JSON.stringify({ field: 'stage', op: 'eq', value: 'won' }));
    const page = `/api/v1/objects/deal/records?filter=${filter}&sort=stage,-amount&limit=50`;
    const api = {
      page: () => admin.get(page),
      count: () => admin.get(`${page}&count=true`),
      expand: () => admin.get(`${page}&expand=account`),
    };
    const raw = {
      page: () => sql`select * from ${table('deal')} t where stage = ${'won'} order by stage, amount desc nulls first, id limit 51`.execute(db),
      count: async () => {
        await raw.page();
        await sql`select count(*) from ${table('deal')} where stage = ${'won'}`.execute(db);
      },
      expand: () => sql`select t.*, a.id as a_id, a.name as a_name from ${table('deal')} t left join ${table('account')} a on a.id = t.account
        where t.stage = ${'won'} order by t.stage, t.amount desc nulls first, t.id limit 51`.execute(db),
    };
    const region = await sql<{ id: string }>`select id from ${system('departments')} where parent_id is null order by sort limit 1`.execute(db);
    const roles = (await admin.get('/api/v1/access/roles')).body.items as { id: string; key: string }[];
    const permissions = [{ object: '*', create: true, read: 'department_tree', edit: 'own', delete: 'own' }];
    if ((await admin.patch(`/api/v1/access/roles/${roles.find((r) => r.key === 'member')!.id}`, { permissions })).status !== 200) throw new Error('cannot set member permissions');
    await admin.post('/api/v1/org/users', { login: 'member', displayName: 'Member', password: 'bench-password-1', mainDepartmentId: region.rows[0]!.id });
    const member = await loginAs(t.app, 'member', 'bench-password-1');
    const [all, scoped] = [(await admin.get(`${page}&count=true`)).body, (await member.get(`${page}&count=true`)).body];
    if (scoped.items.length !== 50 || !(scoped.total > 0 && scoped.total < all.total / 5)) throw new Error(`the member's scope is not applied: ${scoped.total} of ${all.total}`);
    const goal = dialect === 'postgres' ? 'raw + 2 ms and ≤ 5 ms' : 'raw + 2 ms and ≤ 10 ms';
    for (const kind of ['page', 'count', 'expand'] as const) {
      const ours = await p50(api[kind]);
      const base = await p50(raw[kind]);
      const what = `${kind === 'page' ? 'filter + sort + 50 rows' : kind === 'count' ? 'same page with total count' : 'same page with expand=account'}, 1M rows, ${dialect} (p50)`;
      report({ id: `B3-${kind}-${dialect}`, name: what, value: round(ours, 2), unit: 'ms', baseline: { name: 'hand-written SQL, same handle', value: round(base, 2) }, goal: `${goal}; +${round(ours - base, 2)} ms` });
      const scoped = await p50(() => member.get(kind === 'page' ? page : kind === 'count' ? `${page}&count=true` : `${page}&expand=account`));
      report({ id: `C-${kind}-${dialect}`, name: `${what}, as a member seeing 1 of 10 regions (20 of 200 departments)`, value: round(scoped, 2), unit: 'ms', baseline: { name: 'the administrator, same request', value: round(ours, 2) }, goal: `≤ 1.5×; ratio ${round(scoped / ours, 2)}` });
    }
  } finally {
    await t.close();
  }
}

await measure('postgres');
await measure('pglite');
