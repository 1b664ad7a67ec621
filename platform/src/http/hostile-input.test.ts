import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../contracts/index.ts';
import { apiClient, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { hostileBodies, hostilePathValues, hostileValues, type Components, type SchemaNode } from './hostile-input.ts';
import { label, option } from '../testing/meta-builders.ts';

type Operation = {
  parameters?: { name: string; in: 'path' | 'query'; schema: SchemaNode }[];
  requestBody?: { content: { 'application/json': { schema: SchemaNode } } };
  responses: Record<string, { content?: Record<string, { schema: SchemaNode }> }>;
};
type Document = { paths: Record<string, Record<string, Operation>>; components: Components };

let t: TestPlatform;
let doc: Document;
const tally = { requests: 0, byStatus: {} as Record<number, number>, problems: [] as string[] };

beforeAll(async () => {
  t = await startTestPlatform();
  const admin = await loginAs(t.app);
  const fuzzObject = { name: FUZZ_OBJECT, label: label('Fuzz'), pluralLabel: label('Fuzz'), recordName: 'title', fields: fuzzFields };
  await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [fuzzObject] } });
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
  // As a logged-in user the document also has the object's own typed paths; they are attacked too.
  doc = (await admin.get('/api/v1/openapi.json')).body;
  expect(doc.paths[`/api/v1/objects/${FUZZ_OBJECT}/records`]).toBeDefined();
});
afterAll(() => t.close());

const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats.default(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

function checkResponse(label: string, op: Operation, status: number, body: unknown, contentType: string | null) {
  tally.requests++;
  tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
  if (status >= 500) tally.problems.push(`${label}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
  else if (status >= 400) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    if (!error || !ERROR_CODES.includes(error.code as never) || !error.message) tally.problems.push(`${label}: ${status} without a code: ${JSON.stringify(body).slice(0, 200)}`);
  } else if (status !== 204) {
    // A body of another type (a CSV, the scripts' declarations as text) must be one the operation declares.
    const media = contentType?.split(';')[0]?.trim() ?? '';
    if (media !== 'application/json') {
      if (!op.responses[String(status)]?.content?.[media]) tally.problems.push(`${label}: undeclared ${status} ${media}`);
      return;
    }
    const schema = op.responses[String(status)]?.content?.['application/json']?.schema;
    if (!schema) return tally.problems.push(`${label}: undeclared status ${status}`);
    const key = `${label.split(' ')[0]} ${label.split(' ')[1]} ${status}`;
    if (!validators.has(key)) validators.set(key, ajv.compile({ ...schema, components: doc.components }));
    const validate = validators.get(key)!;
    if (!validate(body)) tally.problems.push(`${label}: ${status} body does not match its schema: ${ajv.errorsText(validate.errors)}`);
  }
}

/** `{object}` names the published fuzz object (unless it is the parameter under attack); other parameters get `value`. */
function pathWith(template: string, value: string, attackObject = false) {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => (name === 'object' && !attackObject ? FUZZ_OBJECT : value));
}

const FUZZ_OBJECT = 'fuzz_item';
/** An object with a field of every type, so record writes meet each type's validation. */
const fuzzFields = [
  { name: 'title', type: 'text' }, { name: 'notes', type: 'long_text' }, { name: 'body', type: 'rich_text' }, { name: 'qty', type: 'integer' },
  { name: 'price', type: 'decimal', precision: 10, scale: 2 }, { name: 'amount', type: 'currency', precision: 12, scale: 2 },
  { name: 'rate', type: 'percent', precision: 5, scale: 4 }, { name: 'flag', type: 'boolean' }, { name: 'day', type: 'date' },
  { name: 'moment', type: 'datetime' }, { name: 'stage', type: 'single_select', options: [option('a')] },
  { name: 'tags', type: 'multi_select', options: [option('a')] }, { name: 'mail', type: 'email' }, { name: 'tel', type: 'phone' },
  { name: 'site', type: 'url' }, { name: 'person', type: 'user' }, { name: 'team', type: 'department' },
  { name: 'parent', type: 'lookup', target: FUZZ_OBJECT, onDelete: 'set_null' }, { name: 'files', type: 'attachments' },
  { name: 'serial', type: 'auto_number' }, { name: 'children', type: 'rollup', source: FUZZ_OBJECT, via: 'parent', fn: 'count' },
  { name: 'per_unit', type: 'formula', expression: "IF(qty > 0, price / qty, 0) & ' ' & UPPER(title)", resultType: 'text' },
].map((f) => ({ label: label(f.name), ...f }));

async function attack(client: ApiClient, role: string, method: string, template: string, op: Operation) {
  const label = (what: string) => `${method.toUpperCase()} ${template} as ${role}: ${what}`;
  const send = async (path: string, what: string, raw?: string) => {
    const res = await client.request(method.toUpperCase(), path, raw === undefined ? {} : { raw, headers: { 'content-type': 'application/json' } });
    checkResponse(label(what), op, res.status, res.body, res.headers.get('content-type'));
  };
  const hasPathParam = template.includes('{');
  const basePath = pathWith(template, '00000000-0000-4000-8000-000000000000');
  if (hasPathParam) for (const value of hostilePathValues) await send(pathWith(template, value), `path=${value.slice(0, 20)}`);
  if (template.includes('{object}')) for (const value of hostilePathValues.slice(0, 5)) await send(pathWith(template, value, true), `object=${value.slice(0, 20)}`);
  for (const param of (op.parameters ?? []).filter((p) => p.in === 'query')) {
    for (const value of [...hostilePathValues, '', '1e9', '-5', '0']) await send(`${basePath}?${param.name}=${value}`, `query ${param.name}=${value.slice(0, 20)}`);
  }
  if (['post', 'patch', 'put'].includes(method)) {
    // Uploads take any media type as the raw body: they are attacked with the JSON bodies too.
    const schema = op.requestBody?.content['application/json']?.schema;
    for (const body of hostileBodies(schema, doc.components)) await send(basePath, `body ${body.label}`, body.raw);
    if (template.startsWith('/api/v1/objects/') && !template.endsWith('/bulk')) {
      for (const field of fuzzFields) for (const value of hostileValues) await send(basePath, `record ${field.name}=${String(JSON.stringify(value)).slice(0, 20)}`, JSON.stringify({ [field.name]: value }));
    }
  } else {
    await send(basePath, 'plain');
  }
}

describe('every operation of the OpenAPI document under hostile input', () => {
  it('the document lists every public path of issue A', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login', 'POST /api/v1/auth/logout', 'GET /api/v1/me', 'POST /api/v1/me/tokens', 'GET /api/v1/me/tokens',
        'DELETE /api/v1/me/tokens/{id}', 'GET /api/v1/org/departments', 'GET /api/v1/org/users', 'GET /api/v1/org/users/{id}',
        'GET /healthz', 'GET /readyz',
      ]),
    );
    for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops)) expect(Object.keys(op.responses).some((s) => s.startsWith('2'))).toBe(true);
  });

  it('answers as admin, as a member and with no token: never a 5xx, every 4xx with a code, every 2xx as declared', { timeout: 600_000 }, async () => {
    const admin = await loginAs(t.app);
    await admin.post('/api/v1/org/users', { login: 'fuzzmember', displayName: 'Fuzz', password: 'member-password-1' });
    const roles: [string, () => Promise<ApiClient>][] = [
      ['admin', () => loginAs(t.app)],
      ['member', () => loginAs(t.app, 'fuzzmember', 'member-password-1')],
      ['anonymous', async () => apiClient(t.app)],
    ];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        // A fresh session per operation: the operations include logout and password changes.
        for (const [role, client] of roles) await attack(await client(), role, method, path, op);
      }
    }
    expect(tally.problems).toEqual([]);
    expect(tally.requests).toBeGreaterThan(2000);
    console.log(`hostile-input: ${tally.requests} requests, by status ${JSON.stringify(tally.byStatus)}`);
  });

  it('a body over the limit is refused with PAYLOAD_TOO_LARGE', async () => {
    const admin = await loginAs(t.app);
    const big = await admin.request('POST', '/api/v1/org/departments', { raw: JSON.stringify({ name: 'x'.repeat(2_000_000) }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
