import type { ObjectDefinition } from '@threadbase/platform/contracts';
import type { ErrorTexts } from '../../shared/components/records/form-errors.ts';
import { localised } from '../../shared/components/records/field-kinds.ts';

type Translate = (key: string, params?: Record<string, unknown>) => string;

/** The texts a refused save is explained with, fields named by their labels in the reader's language. */
export function errorTexts(t: Translate, locale: string, object: ObjectDefinition | null): ErrorTexts {
  const label = (name: string) => {
    const field = object?.fields.find((f) => f.name === name);
    return field ? localised(field.label, locale) : name;
  };
  return {
    required: t('records.form.required'),
    invalid: (reason) => (reason ? t('records.form.invalidBecause', { reason }) : t('records.form.invalid')),
    fallback: t('error.unexpected'),
    summary: (names) => t('records.form.fix', { fields: names.map(label).join(locale === 'en' ? ', ' : '、') }),
  };
}
