import type { FieldDefinition, ObjectDefinition } from '@threadbase/platform/contracts';

type LookupField = Extract<FieldDefinition, { type: 'lookup' }>;

/** Records of `object` that point at a record through its lookup field `via`. */
export type Relation = { object: ObjectDefinition; via: LookupField };

const isLookupTo = (target: string) => (field: FieldDefinition): field is LookupField => !field.archived && field.type === 'lookup' && field.target === target;

/**
 * Every live lookup field, of any live object (this one included: a parent task), whose target is
 * `target`: the related lists of a record of it, in metadata order.
 */
export function relationsTo(objects: readonly ObjectDefinition[], target: string): Relation[] {
  return objects
    .filter((object) => !object.archived)
    .flatMap((object) => object.fields.filter(isLookupTo(target)).map((via) => ({ object, via })));
}
