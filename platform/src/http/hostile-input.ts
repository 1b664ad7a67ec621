import { randomUUID } from 'node:crypto';

/** A JSON-Schema-ish node as found in our OpenAPI document. */
export type SchemaNode = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  pattern?: string;
  default?: unknown;
};

export type Components = { schemas?: Record<string, SchemaNode> };

export function resolve(node: SchemaNode | undefined, components: Components): SchemaNode {
  if (!node) return {};
  if (node.$ref) return resolve(components.schemas?.[node.$ref.split('/').pop()!], components);
  const nonNull = node.anyOf?.find((n) => n.type !== 'null');
  return nonNull ? resolve(nonNull, components) : node;
}

/** Values of the wrong type or shape that any field may receive. */
export const hostileValues: unknown[] = [
  12345,
  -1,
  1e308,
  2 ** 53 + 1,
  1.5,
  true,
  null,
  [],
  {},
  [1, 'two', { three: 3 }],
  '',
  'a'.repeat(100_000),
  "' OR 1=1; DROP TABLE users; --",
  '"; SELECT pg_sleep(5); --',
  'x\u0000y',
  'lone \ud800 surrogate',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '00000000-0000-0000-0000-000000000000',
  '😀'.repeat(300),
  '{{7*7}}${7*7}',
];

/** Strings that end up in a URL path or query. */
export const hostilePathValues = [
  '123',
  'not-a-uuid',
  encodeURIComponent("' OR 1=1 --"),
  '%00',
  encodeURIComponent('\u0000'),
  'a'.repeat(5000),
  '-1',
  encodeURIComponent('../../etc/passwd'),
  '00000000-0000-0000-0000-000000000000',
  randomUUID(),
];

let counter = 0;

/** A minimal value the schema accepts, so that a hostile value in one field is tested on its own. */
export function plausible(node: SchemaNode, components: Components, name = ''): unknown {
  const s = resolve(node, components);
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'email') return `fuzz${++counter}@example.com`;
      if (s.format === 'uri') return 'https://example.com/a.png';
      if (name.toLowerCase().includes('password')) return `fuzz-password-${++counter}`;
      if (name === 'csv') return 'login,displayName\n';
      return `fuzz${++counter}`;
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries((s.required ?? []).map((key) => [key, plausible(s.properties?.[key] ?? {}, components, key)]));
    default:
      return null;
  }
}

/** Request bodies for one operation: broken wholes, then the plausible body with one field made hostile. */
export function hostileBodies(schema: SchemaNode | undefined, components: Components): { label: string; raw: string }[] {
  const bodies: { label: string; raw: string }[] = [
    { label: 'not json', raw: '{"unterminated":' },
    { label: 'array', raw: '[]' },
    { label: 'null', raw: 'null' },
    { label: 'string', raw: '"text"' },
    { label: 'empty object', raw: '{}' },
  ];
  if (!schema) return bodies;
  const s = resolve(schema, components);
  const base = plausible(s, components) as Record<string, unknown>;
  bodies.push({ label: 'unknown field', raw: JSON.stringify({ ...base, unexpectedField: 'x' }) });
  for (const key of Object.keys(s.properties ?? {})) {
    const rest = { ...base };
    delete rest[key];
    if ((s.required ?? []).includes(key)) bodies.push({ label: `missing ${key}`, raw: JSON.stringify(rest) });
    for (const value of hostileValues) bodies.push({ label: `${key}=${String(JSON.stringify(value)).slice(0, 30)}`, raw: JSON.stringify({ ...base, [key]: value }) });
  }
  return bodies;
}
