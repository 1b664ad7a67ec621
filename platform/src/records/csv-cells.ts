import type { FieldDefinition } from '../contracts/meta.ts';
import type { Locale } from '../contracts/index.ts';

/**
 * One CSV cell ↔ one API value. Cells are what a person types in a spreadsheet: labels instead of
 * option keys, "是"/"yes" for booleans, "1200.50 CNY" for money, local date-times. Export writes the
 * same forms, so an exported file imports back unchanged.
 */
export type Cell =
  | { kind: 'empty' }
  | { kind: 'value'; value: unknown }
  /** A user, department or record named in the cell; resolved to an id in one query per field. */
  | { kind: 'reference'; text: string }
  | { kind: 'invalid'; problem: CellProblem };

export type CellProblem = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'currency' | 'option';

export const IMPORTABLE = (field: FieldDefinition) => !['auto_number', 'formula', 'rollup', 'attachments'].includes(field.type);

const TRUE = new Set(['true', 'yes', 'y', '1', '是', '对', 'x', '✓']);
const FALSE = new Set(['false', 'no', 'n', '0', '否', '错']);

/** A wall-clock time in `timeZone` as an instant: the offset is the zone's at that moment (DST included). */
export function localToUtc(local: string, timeZone: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const guess = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetAt = (instant: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(instant);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - instant;
  };
  if (Number.isNaN(guess)) return null;
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

function option(field: Extract<FieldDefinition, { options: unknown }>, text: string): string | null {
  const needle = text.trim().toLowerCase();
  const found = field.options.find((o) => o.key === needle || o.label.en.toLowerCase() === needle || o.label['zh-CN'] === text.trim());
  return found?.key ?? null;
}

const digits = (text: string) => text.replace(/[,\s]/g, '');

export function parseCell(field: FieldDefinition, raw: string, timeZone: string): Cell {
  const text = raw.trim();
  if (text === '') return { kind: 'empty' };
  const invalid = (problem: CellProblem): Cell => ({ kind: 'invalid', problem });
  const value = (v: unknown): Cell => ({ kind: 'value', value: v });
  switch (field.type) {
    case 'integer':
      return /^-?\d+$/.test(digits(text)) ? value(Number(digits(text))) : invalid('integer');
    case 'decimal':
      return /^-?\d+(\.\d+)?$/.test(digits(text)) ? value(digits(text)) : invalid('decimal');
    case 'percent': {
      const number = digits(text).replace(/%$/, '');
      return /^-?\d+(\.\d+)?$/.test(number) ? value(number) : invalid('decimal');
    }
    case 'currency': {
      const match = /^([A-Za-z]{3})?\s*(-?[\d,.\s]+?)\s*([A-Za-z]{3})?$/.exec(text);
      const amount = match ? digits(match[2]!) : '';
      if (!match || (match[1] && match[3]) || !/^-?\d+(\.\d+)?$/.test(amount)) return invalid('currency');
      return value({ amount, currency: (match[1] ?? match[3] ?? field.defaultCurrency).toUpperCase() });
    }
    case 'boolean':
      if (TRUE.has(text.toLowerCase())) return value(true);
      return FALSE.has(text.toLowerCase()) ? value(false) : invalid('boolean');
    case 'date': {
      const date = text.replace(/[/.]/g, '-').replace(/^(\d{4})-(\d)-/, '$1-0$2-').replace(/-(\d)$/, '-0$1');
      return /^\d{4}-\d{2}-\d{2}$/.test(date) && !Number.isNaN(Date.parse(date)) ? value(date) : invalid('date');
    }
    case 'datetime': {
      if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(text) && !Number.isNaN(Date.parse(text))) return value(new Date(text).toISOString());
      const local = localToUtc(text.replace(/\//g, '-'), timeZone);
      return local ? value(local.toISOString()) : invalid('datetime');
    }
    case 'single_select': {
      const key = option(field, text);
      return key ? value(key) : invalid('option');
    }
    case 'multi_select': {
      const keys = text.split(/[;；|]/).map((part) => part.trim()).filter(Boolean).map((part) => option(field, part));
      return keys.every((k) => k !== null) ? value(keys) : invalid('option');
    }
    case 'user':
    case 'department':
    case 'lookup':
      return { kind: 'reference', text };
    default:
      return value(raw);
  }
}

function label(field: Extract<FieldDefinition, { options: unknown }>, key: string, locale: Locale): string {
  return field.options.find((o) => o.key === key)?.label[locale] ?? key;
}

/** The cell an API value exports as; references come already named (login, department, record name). */
export function formatCell(field: FieldDefinition, value: unknown, locale: Locale, timeZone: string): string {
  if (value === null || value === undefined) return '';
  switch (field.type) {
    case 'currency': {
      const money = value as { amount: string; currency: string };
      return `${money.amount} ${money.currency}`;
    }
    case 'boolean':
      return value ? 'true' : 'false';
    case 'datetime':
      return new Date(value as string).toLocaleString('sv-SE', { timeZone }).slice(0, 19);
    case 'single_select':
      return label(field, value as string, locale);
    case 'multi_select':
      return (value as string[]).map((key) => label(field, key, locale)).join('; ');
    case 'attachments':
      return (value as { name: string }[]).map((file) => file.name).join('; ');
    default:
      return String(value);
  }
}
