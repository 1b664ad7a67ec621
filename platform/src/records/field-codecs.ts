import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';
import type { FieldDefinition } from '../contracts/meta.ts';
import { text } from '../contracts/common.ts';
import { jsonb } from '../db/tables.ts';

/**
 * How one field's value crosses the API: the zod schema a written value must pass, the columns it
 * becomes, and the API value read back from a row. Read-only fields (auto-number, rollup) have no input.
 */
export type FieldCodec = {
  field: FieldDefinition;
  input: z.ZodType | null;
  toColumns(value: unknown): Record<string, unknown>;
  fromRow(row: Record<string, unknown>): unknown;
};

/**
 * A decimal as plain digits. A JSON number is accepted only when it prints that way: 1e308 prints as
 * "1e+308", which PostgreSQL would read and then overflow on.
 */
export const decimalText = z
  .union([z.number().finite(), z.string()])
  .transform((v) => (typeof v === 'number' ? String(v) : v))
  .pipe(z.string().regex(/^-?\d{1,40}(\.\d{1,20})?$/, 'a decimal number written with digits'));

/** Exact decimals travel as strings; a value with more digits than the column holds is refused, not rounded. */
function decimal(precision: number, scale: number) {
  return decimalText.refine(
      (v) => {
        const [whole = '', fraction = ''] = v.replace('-', '').split('.');
        return fraction.length <= scale && whole.replace(/^0+(?=\d)/, '').length <= precision - scale;
      },
      { message: `at most ${precision - scale} digits before and ${scale} after the point` },
    );
}

const single = (name: string, parse: (v: unknown) => unknown = (v) => v) => ({
  toColumns: (value: unknown) => ({ [name]: value }),
  fromRow: (row: Record<string, unknown>) => (row[name] == null ? null : parse(row[name])),
});

const asNumber = (v: unknown) => (typeof v === 'bigint' || typeof v === 'string' ? Number(v) : v);
const asDecimal = (v: unknown) => String(v);

/** One exhaustive switch, like the column mapping: a new field type must say how it is read and written. */
export function codecOf(field: FieldDefinition): FieldCodec {
  const n = field.name;
  const make = (input: z.ZodType | null, io: Pick<FieldCodec, 'toColumns' | 'fromRow'>): FieldCodec => ({ field, input, ...io });
  switch (field.type) {
    case 'text': {
      let schema = text(field.maxLength);
      if (field.pattern) schema = schema.regex(new RegExp(field.pattern, 'u'));
      return make(schema, single(n));
    }
    case 'long_text':
      return make(text(field.maxLength), single(n));
    case 'rich_text':
      return make(text(1_000_000), {
        toColumns: (value) => ({ [n]: typeof value === 'string' ? sanitizeHtml(value) : value }),
        fromRow: single(n).fromRow,
      });
    case 'integer': {
      let schema = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
      if (field.min !== undefined) schema = schema.min(field.min);
      if (field.max !== undefined) schema = schema.max(field.max);
      return make(schema, single(n, asNumber));
    }
    case 'decimal':
    case 'percent':
      return make(decimal(field.precision, field.scale), single(n, asDecimal));
    case 'currency':
      return make(z.object({ amount: decimal(field.precision, field.scale), currency: z.string().regex(/^[A-Z]{3}$/).default(field.defaultCurrency) }).strict(), {
        toColumns: (value) => {
          const v = value as { amount: string; currency: string } | null;
          return { [n]: v?.amount ?? null, [`${n}__currency`]: v ? v.currency : null };
        },
        fromRow: (row) => (row[n] == null ? null : { amount: String(row[n]), currency: row[`${n}__currency`] }),
      });
    case 'boolean':
      return make(z.boolean(), single(n));
    case 'date':
      return make(z.iso.date(), single(n, String));
    case 'datetime':
      return make(z.iso.datetime({ offset: true }).transform((v) => new Date(v)), single(n, (v) => new Date(v as string).toISOString()));
    case 'single_select':
      return make(z.enum(field.options.map((o) => o.key) as [string, ...string[]]), single(n));
    case 'multi_select': {
      const keys = z.enum(field.options.map((o) => o.key) as [string, ...string[]]);
      return make(z.array(keys).max(field.options.length).refine((a) => new Set(a).size === a.length, { message: 'each option once' }), jsonColumn(n));
    }
    case 'email':
      return make(z.email().max(254), single(n));
    case 'phone':
      return make(text(32).regex(/^\+?[0-9 ()-]{3,32}$/), single(n));
    case 'url':
      return make(z.url({ protocol: /^https?$/ }).max(2048), single(n));
    case 'user':
    case 'department':
    case 'lookup':
      return make(z.uuid(), single(n));
    case 'attachments': {
      const file = z.object({ fileId: z.uuid(), name: text(255, 1), size: z.number().int().min(0), contentType: text(255) }).strict();
      return make(z.array(file).max(field.multiple ? 100 : 1), jsonColumn(n));
    }
    case 'auto_number':
      return make(null, single(n, (v) => `${field.prefix}${String(v).padStart(field.digits, '0')}`));
    case 'rollup':
      return make(null, single(n, (v) => (field.fn === 'count' ? Number(v) : String(v))));
    case 'formula':
      return make(null, single(n, (v) => (field.resultType === 'boolean' ? Boolean(v) : String(v))));
    default: {
      const unknown: never = field;
      throw new Error(`No codec for field type ${(unknown as { type: string }).type}`);
    }
  }
}

function jsonColumn(name: string): Pick<FieldCodec, 'toColumns' | 'fromRow'> {
  return { toColumns: (value) => ({ [name]: value == null ? null : jsonb(value) }), fromRow: single(name).fromRow };
}
