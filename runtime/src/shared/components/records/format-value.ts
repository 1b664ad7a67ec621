import type { FieldDefinition, ObjectDefinition } from '@threadbase/platform/contracts';
import { localised } from './field-kinds.ts';

export type FormatOptions = { locale: string; yes: string; no: string };
type Money = { amount: string; currency: string };

/**
 * A field's value as text in the reader's language: numbers grouped, exact decimals kept exact
 * (Intl formats the API's decimal strings without a float), dates in her locale. References (users,
 * departments, lookups) need names from elsewhere and are left to the component.
 */
export function formatValue(field: FieldDefinition, value: unknown, options: FormatOptions): string {
  if (value === null || value === undefined || value === '') return '';
  const { locale } = options;
  switch (field.type) {
    case 'integer':
      return number(locale, {}).format(value as number);
    case 'decimal':
      return number(locale, { minimumFractionDigits: field.scale, maximumFractionDigits: field.scale }).format(value as `${number}`);
    case 'currency':
      return formatMoney(value as Money, field.scale, locale);
    case 'percent':
      return number(locale, { style: 'percent', maximumFractionDigits: Math.max(0, field.scale - 2) }).format(value as `${number}`);
    case 'boolean':
      return value ? options.yes : options.no;
    case 'date':
      return formatDay(String(value), locale);
    case 'datetime':
      return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(String(value)));
    case 'single_select':
      return optionLabel(field.options, String(value), locale);
    case 'multi_select':
      return (value as string[]).map((key) => optionLabel(field.options, key, locale)).join(locale === 'en' ? ', ' : '、');
    case 'attachments':
      return (value as { name: string }[]).map((file) => file.name).join(', ');
    case 'rollup':
      return number(locale, { maximumFractionDigits: 20 }).format(value as `${number}`);
    case 'formula':
      if (field.resultType === 'boolean') return value ? options.yes : options.no;
      if (field.resultType === 'date') return formatDay(String(value), locale);
      if (field.resultType === 'decimal') return number(locale, { maximumFractionDigits: 20 }).format(value as `${number}`);
      return String(value);
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

export function formatMoney(money: Money, scale: number, locale: string): string {
  return number(locale, { style: 'currency', currency: money.currency, minimumFractionDigits: scale, maximumFractionDigits: scale }).format(money.amount as `${number}`);
}

/** A date without a time is the same day everywhere: formatted in UTC so no time zone moves it. */
export function formatDay(day: string, locale: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

export function optionLabel(options: readonly { key: string; label: { 'zh-CN': string; en: string } }[], key: string, locale: string): string {
  const option = options.find((o) => o.key === key);
  return option ? localised(option.label, locale) : key;
}

const formats = new Map<string, Intl.NumberFormat>();
/** NumberFormat objects are slow to make and a table formats hundreds of cells: keep them. */
function number(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}

/** A record's name as text ('' when it has none): its object's name field, formatted like a cell. */
export function recordName(object: Pick<ObjectDefinition, 'fields' | 'recordName'>, record: Record<string, unknown>, locale: string): string {
  const field = object.fields.find((f) => f.name === object.recordName);
  return field ? formatValue(field, record[field.name], { locale, yes: '', no: '' }) : '';
}
