import { z } from 'zod';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';
import { liveCodecs } from './record-shape.ts';

type JsonSchema = Record<string, unknown>;
type Document = { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, JsonSchema> } };

const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });
const uuid = { type: 'string', format: 'uuid' };
const decimalString = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' };

/** The JSON Schema of a field's value as records return it (see field-codecs.ts for the same rules). */
function outputSchema(field: FieldDefinition): JsonSchema {
  switch (field.type) {
    case 'integer':
      return nullable({ type: 'integer' });
    case 'decimal':
    case 'percent':
      return nullable(decimalString);
    case 'currency':
      return nullable({ type: 'object', properties: { amount: decimalString, currency: { type: 'string' } }, required: ['amount', 'currency'] });
    case 'boolean':
      return nullable({ type: 'boolean' });
    case 'date':
      return nullable({ type: 'string', format: 'date' });
    case 'datetime':
      return nullable({ type: 'string', format: 'date-time' });
    case 'single_select':
      return nullable({ type: 'string', enum: field.options.map((o) => o.key) });
    case 'multi_select':
      return nullable({ type: 'array', items: { type: 'string', enum: field.options.map((o) => o.key) } });
    case 'user':
    case 'department':
    case 'lookup':
      return nullable(uuid);
    case 'attachments':
      return nullable({ type: 'array', items: { type: 'object' } });
    case 'rollup':
      return nullable(field.fn === 'count' ? { type: 'integer' } : decimalString);
    case 'formula':
      return nullable(field.resultType === 'boolean' ? { type: 'boolean' } : { type: 'string' });
    default:
      return nullable({ type: 'string' });
  }
}

function schemasOf(object: ObjectDefinition): { output: JsonSchema; input: JsonSchema } {
  const codecs = liveCodecs(object);
  const described = (f: FieldDefinition, schema: JsonSchema) => ({ ...schema, title: f.label.en, description: f.label['zh-CN'] });
  const system = {
    id: uuid, created_at: { type: 'string', format: 'date-time' }, created_by: nullable(uuid), updated_at: { type: 'string', format: 'date-time' },
    updated_by: nullable(uuid), owner: nullable(uuid), version: { type: 'integer' },
  };
  const outputProps = Object.fromEntries([...codecs.values()].map((c) => [c.field.name, described(c.field, outputSchema(c.field))]));
  const inputProps = Object.fromEntries(
    [...codecs.values()]
      .filter((c) => c.input)
      .map((c) => [c.field.name, described(c.field, nullable(z.toJSONSchema(c.input!, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema))]),
  );
  return {
    // Only system columns are always present: `fields=` narrows the rest.
    output: { type: 'object', title: object.label.en, properties: { ...system, ...outputProps, _expanded: { type: 'object' } }, required: Object.keys(system) },
    input: { type: 'object', title: object.label.en, properties: { ...inputProps, owner: uuid, version: { type: 'integer' } }, additionalProperties: false },
  };
}

/**
 * Adds each published object's own paths to the document, copied from the generic record operations
 * with `{object}` filled in and typed record schemas, so a client generated for "deal" is typed.
 */
export function withObjectPaths<D extends Document>(doc: D, objects: Iterable<ObjectDefinition>): D {
  const out = structuredClone(doc);
  const generic = ['/api/v1/objects/{object}/records', '/api/v1/objects/{object}/records/{id}'];
  for (const object of objects) {
    const { output, input } = schemasOf(object);
    const schemas = out.components.schemas;
    schemas[`Record_${object.name}`] = output;
    schemas[`RecordInput_${object.name}`] = input;
    schemas[`RecordPage_${object.name}`] = { ...(schemas.RecordPage as JsonSchema), properties: { ...((schemas.RecordPage as { properties: JsonSchema }).properties), items: { type: 'array', items: { $ref: `#/components/schemas/Record_${object.name}` } } } };
    for (const path of generic) {
      const item = JSON.stringify(doc.paths[path])
        .replaceAll('"#/components/schemas/RecordPage"', `"#/components/schemas/RecordPage_${object.name}"`)
        .replaceAll('"#/components/schemas/RecordInput"', `"#/components/schemas/RecordInput_${object.name}"`)
        .replaceAll('"#/components/schemas/Record"', `"#/components/schemas/Record_${object.name}"`);
      const operations = JSON.parse(item) as Record<string, { parameters?: { name: string; in: string }[]; tags?: string[] }>;
      for (const op of Object.values(operations)) {
        op.parameters = op.parameters?.filter((p) => !(p.in === 'path' && p.name === 'object'));
        op.tags = [`Records: ${object.name}`];
      }
      out.paths[path.replace('{object}', object.name)] = operations;
    }
  }
  return out;
}
