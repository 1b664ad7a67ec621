import ts from 'typescript';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { GUEST_API } from './guest-api.ts';
import { declaredNames, libGlobalNames } from './lib-files.ts';

/**
 * The `.d.ts` a script is written and checked against: one interface per published object (named in
 * PascalCase: `opportunity` → `Opportunity`), with each field typed as the records API returns it
 * (docs/records.md, records/field-codecs.ts), plus the guest API. Deterministic: objects, fields and
 * options are sorted, so the same metadata always gives the same text (and ETag).
 */
export function generateTypeDefinitions(objects: Iterable<ObjectDefinition>, version: number): string {
  const sorted = [...objects].filter((o) => !o.archived).sort((a, b) => compare(a.name, b.name));
  const names = typeNames(sorted.map((o) => o.name));
  const out = [
    `// Threadbase script declarations for published metadata version ${version}. Generated at each publish: do not edit.`,
    '// Globals: ctx, records, thread, http, log, console, env. Record types: one interface per object.',
    '',
  ];
  for (const object of sorted) out.push(...recordInterface(object, names.get(object.name)!), '');
  out.push('declare namespace Threadbase {', '  /** Every published object\'s record type, by API name. */', '  interface Objects {');
  for (const object of sorted) out.push(`    ${property(object.name)}: ${names.get(object.name)};`);
  out.push('  }', '  /** What records.create takes, by object: the writable fields; required ones must be given. */', '  interface ObjectInputs {');
  for (const object of sorted) out.push(`    ${property(object.name)}: Inputs.${names.get(object.name)};`);
  out.push('  }', '  namespace Inputs {');
  for (const object of sorted) out.push(...inputInterface(object, names.get(object.name)!).map((line) => `    ${line}`));
  out.push('  }', '}', '', GUEST_API);
  return out.join('\n');
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const liveFields = (object: ObjectDefinition) => object.fields.filter((f) => !f.archived).sort((a, b) => compare(a.name, b.name));

let reserved: ReadonlySet<string> | null = null;

/**
 * Names an object's interface must not take: the lib's globals (an interface `Date` would merge into
 * the real one) and the `Threadbase` namespace's own members, which would shadow it inside the namespace.
 */
function reservedNames(): ReadonlySet<string> {
  if (!reserved) {
    const api = ts.createSourceFile('/guest-api.d.ts', GUEST_API, ts.ScriptTarget.ES2023, false);
    reserved = new Set([...libGlobalNames(), ...declaredNames(api, 'Threadbase'), 'Inputs', 'Objects', 'ObjectInputs']);
  }
  return reserved;
}

/** `sales_order` → `SalesOrder`; a taken or reserved name gets a `Record` suffix (then a number), in name order. */
export function typeNames(objectNames: readonly string[]): Map<string, string> {
  const taken = new Set(reservedNames());
  const names = new Map<string, string>();
  for (const name of [...objectNames].sort(compare)) {
    const base = pascalCase(name);
    let candidate = base;
    for (let i = 1; taken.has(candidate); i++) candidate = i === 1 ? `${base}Record` : `${base}Record${i}`;
    taken.add(candidate);
    names.set(name, candidate);
  }
  return names;
}

function pascalCase(name: string): string {
  const joined = name
    .split('_')
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('')
    .replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[A-Za-z_$]/.test(joined) ? joined : `O${joined}`;
}

/** A property name: the API name as is when it is an identifier (meta makes sure it is), quoted otherwise. */
function property(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}

/**
 * Text for inside a comment: labels are free text, and `*\/` would end the comment, `@` would start a
 * JSDoc tag (`@deprecated` strikes a field through in the editor), a line break would leave the line.
 */
export function commentText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029\t]+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\*\//g, '*\\/')
    .replace(/@/g, '\\@');
}

function labelOf(item: { label: { en: string; 'zh-CN': string } }): string {
  const { en, 'zh-CN': zh } = item.label;
  return commentText(en === zh ? en : `${en} · ${zh}`);
}

function doc(indent: string, first: string, description?: string): string[] {
  if (!description) return [`${indent}/** ${first} */`];
  return [`${indent}/**`, `${indent} * ${first}`, `${indent} * ${commentText(description)}`, `${indent} */`];
}

const SYSTEM_FIELDS = [
  '  /** The record\'s id (a UUID). */',
  '  readonly id: string;',
  '  /** When it was created: ISO 8601, UTC. */',
  '  readonly created_at: string;',
  '  /** Who created it: a user id. */',
  '  readonly created_by: string | null;',
  '  /** When it last changed: ISO 8601, UTC. */',
  '  readonly updated_at: string;',
  '  /** Who changed it last: a user id. */',
  '  readonly updated_by: string | null;',
  '  /** The owner: a user id. */',
  '  readonly owner: string | null;',
  '  /** Counts changes; send it back with records.update to refuse overwriting a newer one. */',
  '  readonly version: number;',
];

function recordInterface(object: ObjectDefinition, typeName: string): string[] {
  const lines = [...doc('', `${labelOf(object)} — object "${commentText(object.name)}"`, object.description), `interface ${typeName} {`, ...SYSTEM_FIELDS];
  for (const field of liveFields(object)) {
    const { type, nullable, readOnly } = outputType(field);
    lines.push(...doc('  ', `${labelOf(field)} — ${describe(field)}`, field.description));
    lines.push(`  ${readOnly ? 'readonly ' : ''}${property(field.name)}: ${nullable ? `${type} | null` : type};`);
  }
  lines.push('}');
  return lines;
}

function inputInterface(object: ObjectDefinition, typeName: string): string[] {
  const lines = [`/** The writable fields of ${commentText(object.name)}. */`, `interface ${typeName} {`];
  for (const field of liveFields(object)) {
    const type = inputType(field);
    if (type === null) continue;
    lines.push(`  /** ${labelOf(field)} */`, field.required ? `  ${property(field.name)}: ${type};` : `  ${property(field.name)}?: ${type} | null;`);
  }
  lines.push('  /** Give the record to another user (a user id); the creator owns it otherwise. */', '  owner?: string;', '}');
  return lines;
}

/** The option keys of a select as a union of string literals (sorted: the order of a union means nothing). */
function optionUnion(field: Extract<FieldDefinition, { options: unknown }>): string {
  return [...new Set(field.options.map((o) => o.key))].sort(compare).map((k) => JSON.stringify(k)).join(' | ');
}

/** A field's value as records return it; computed values can be null whatever `required` says. */
function outputType(field: FieldDefinition): { type: string; nullable: boolean; readOnly: boolean } {
  const stored = (type: string) => ({ type, nullable: !field.required, readOnly: false });
  switch (field.type) {
    case 'text':
    case 'long_text':
    case 'rich_text':
    case 'email':
    case 'phone':
    case 'url':
    case 'date':
    case 'datetime':
    case 'user':
    case 'department':
    case 'lookup':
    case 'decimal':
    case 'percent':
      return stored('string');
    case 'integer':
      return stored('number');
    case 'currency':
      return stored('Threadbase.Money');
    case 'boolean':
      return stored('boolean');
    case 'single_select':
      return stored(optionUnion(field));
    case 'multi_select':
      return stored(`(${optionUnion(field)})[]`);
    case 'attachments':
      return stored('Threadbase.Attachment[]');
    case 'auto_number':
      return { type: 'string', nullable: false, readOnly: true };
    case 'formula':
      return { type: field.resultType === 'boolean' ? 'boolean' : 'string', nullable: true, readOnly: true };
    case 'rollup':
      return field.fn === 'count' ? { type: 'number', nullable: false, readOnly: true } : { type: 'string', nullable: true, readOnly: true };
    default: {
      const unknown: never = field;
      throw new Error(`No script type for field type ${(unknown as { type: string }).type}`);
    }
  }
}

/** What a write accepts (records/field-codecs.ts): decimals also as numbers; computed fields not at all. */
function inputType(field: FieldDefinition): string | null {
  switch (field.type) {
    case 'decimal':
    case 'percent':
      return 'number | string';
    case 'currency':
      return 'Threadbase.MoneyInput';
    case 'auto_number':
    case 'formula':
    case 'rollup':
      return null;
    default:
      return outputType(field).type;
  }
}

/** The type in words, for the hover: what the TypeScript type alone does not say. */
function describe(field: FieldDefinition): string {
  const required = field.required ? ', required' : '';
  switch (field.type) {
    case 'decimal':
    case 'percent':
      return `${field.type}: an exact decimal as a string, ${field.scale} decimal places${required}`;
    case 'currency':
      return `currency (default ${field.defaultCurrency}): amount as an exact decimal string${required}`;
    case 'date':
      return `date: "YYYY-MM-DD"${required}`;
    case 'datetime':
      return `datetime: ISO 8601, UTC${required}`;
    case 'user':
    case 'department':
      return `${field.type} id${required}`;
    case 'lookup':
      return `lookup: the id of a "${commentText(field.target)}" record${required}`;
    case 'auto_number':
      return 'auto-number, read-only';
    case 'formula':
      return `formula (${field.resultType}${field.resultType === 'decimal' ? ' as a string' : ''}), read-only`;
    case 'rollup':
      return `rollup: ${field.fn} of ${commentText(field.source)}${field.field ? `.${commentText(field.field)}` : ''}, read-only`;
    default:
      return `${field.type.replace('_', ' ')}${required}`;
  }
}
