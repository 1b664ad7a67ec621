import type { FieldDefinition, MyObjectAccess } from '@threadbase/platform/contracts';
import { fieldLevel } from './field-kinds.ts';

/**
 * What a person may change, as far as the client can tell: her object rights and field levels. Which
 * records her scope covers (her own, her department's, shared ones) only the server knows, so a save
 * outside them is refused there. Unknown rights (not loaded) offer the action and let the server decide.
 */
export function canEditRecords(access: MyObjectAccess | null): boolean {
  return access === null || access.modifyAll || access.edit !== 'none';
}

export function canDeleteRecords(access: MyObjectAccess | null): boolean {
  return access === null || access.modifyAll || access.delete !== 'none';
}

/** A field she may write with a field input: attachments are uploaded on the record page instead. */
export function canEditField(field: FieldDefinition, access: MyObjectAccess | null): boolean {
  return fieldLevel(field, access) === 'edit' && field.type !== 'attachments';
}
