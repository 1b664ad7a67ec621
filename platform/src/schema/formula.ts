import { sql, type RawBuilder } from 'kysely';
import type { FieldDefinition, ObjectDefinition } from '../contracts/meta.ts';

/**
 * The formula language: numbers, 'text', TRUE/FALSE/NULL, field names, + - * / & (text join),
 * = != < <= > >=, AND OR NOT, parentheses and functions (IF, ROUND, ABS, CONCAT, LEN, UPPER, LOWER,
 * COALESCE, TODAY, DAYS). It is type-checked and compiled to SQL evaluated when records are read;
 * literals become parameters and field names quoted identifiers, so nothing is ever concatenated.
 */
export type FormulaType = 'number' | 'text' | 'boolean' | 'date' | 'null';
type Compiled = { sql: RawBuilder<unknown>; type: FormulaType };
type Token = { kind: 'num' | 'str' | 'id' | 'op' | 'end'; value: string; at: number };

export class FormulaError extends Error {
  override name = 'FormulaError';
  readonly at: number;
  constructor(message: string, at: number) {
    super(message);
    this.at = at;
  }
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|!=|<>|[-+*/&=<>(),]))/y;
  let at = 0;
  while (at < source.length) {
    if (/^\s*$/.test(source.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(source);
    if (!m) throw new FormulaError(`unexpected character "${source.slice(at).trim()[0]}"`, at);
    const start = at + m[0].length - m[0].trimStart().length;
    if (m[1] !== undefined) tokens.push({ kind: 'num', value: m[1], at: start });
    else if (m[2] !== undefined) tokens.push({ kind: 'str', value: m[2].replace(/''/g, "'"), at: start });
    else if (m[3] !== undefined) tokens.push({ kind: 'id', value: m[3], at: start });
    else tokens.push({ kind: 'op', value: m[4]!, at: start });
    at = re.lastIndex;
  }
  tokens.push({ kind: 'end', value: '', at: source.length });
  return tokens;
}

const FIELD_TYPES: Partial<Record<FieldDefinition['type'], FormulaType>> = {
  text: 'text', long_text: 'text', email: 'text', phone: 'text', url: 'text', single_select: 'text',
  integer: 'number', decimal: 'number', percent: 'number', currency: 'number', auto_number: 'number',
  boolean: 'boolean', date: 'date', datetime: 'date',
};

/** `timeZone` places TODAY() and the date of a datetime field: the workspace's, like relative filters. */
export function compileFormula(source: string, object: ObjectDefinition, timeZone = 'UTC'): Compiled {
  const tokens = tokenize(source);
  let i = 0;
  const peek = () => tokens[i]!;
  const next = () => tokens[i++]!;
  const is = (value: string) => (peek().kind === 'op' || peek().kind === 'id') && peek().value.toUpperCase() === value;
  const expect = (value: string) => {
    if (!is(value)) throw new FormulaError(`expected "${value}"`, peek().at);
    next();
  };
  const need = (c: Compiled, types: FormulaType[], at: number, what: string) => {
    if (c.type !== 'null' && !types.includes(c.type)) throw new FormulaError(`${what} needs ${types.join(' or ')}, not ${c.type}`, at);
    return c;
  };

  const binary = (ops: string[], operand: () => Compiled, apply: (op: string, l: Compiled, r: Compiled, at: number) => Compiled) => (): Compiled => {
    let left = operand();
    while (ops.some(is)) {
      const { value, at } = next();
      left = apply(value.toUpperCase(), left, operand(), at);
    }
    return left;
  };

  const primary = (): Compiled => {
    const t = next();
    if (t.kind === 'num') return { sql: sql`cast(${t.value} as numeric)`, type: 'number' };
    if (t.kind === 'str') return { sql: sql`cast(${t.value} as text)`, type: 'text' };
    if (t.kind === 'op' && t.value === '(') {
      const inner = or();
      expect(')');
      return inner;
    }
    if (t.kind !== 'id') throw new FormulaError(t.kind === 'end' ? 'the formula ends too early' : `unexpected "${t.value}"`, t.at);
    const word = t.value.toUpperCase();
    if (word === 'TRUE' || word === 'FALSE') return { sql: sql.raw(word.toLowerCase()), type: 'boolean' };
    if (word === 'NULL') return { sql: sql`null`, type: 'null' };
    if (is('(')) return call(word, t.at);
    const field = object.fields.find((f) => f.name === t.value && !f.archived);
    const type = field ? FIELD_TYPES[field.type] : undefined;
    if (!field || !type) throw new FormulaError(`"${t.value}" is not a stored field of ${object.name}`, t.at);
    const ref = sql`t.${sql.id(field.name)}`;
    return { sql: field.type === 'datetime' ? sql`(${ref} at time zone ${timeZone})::date` : ref, type };
  };

  const call = (name: string, at: number): Compiled => {
    expect('(');
    const args: Compiled[] = [];
    if (!is(')')) do args.push(or()); while (is(',') && next());
    expect(')');
    const arity = (n: number) => {
      if (args.length !== n) throw new FormulaError(`${name} takes ${n} argument(s)`, at);
    };
    const [a, b, c] = args;
    switch (name) {
      case 'IF': {
        arity(3);
        need(a!, ['boolean'], at, 'IF condition');
        const type = b!.type === 'null' ? c!.type : b!.type;
        if (c!.type !== 'null' && c!.type !== type) throw new FormulaError('IF branches must have the same type', at);
        return { sql: sql`(case when ${a!.sql} then ${b!.sql} else ${c!.sql} end)`, type };
      }
      case 'ROUND':
        arity(2);
        return { sql: sql`round(${need(a!, ['number'], at, 'ROUND').sql}, ${need(b!, ['number'], at, 'ROUND').sql}::int)`, type: 'number' };
      case 'ABS':
        arity(1);
        return { sql: sql`abs(${need(a!, ['number'], at, 'ABS').sql})`, type: 'number' };
      case 'CONCAT':
        if (args.length < 1) throw new FormulaError('CONCAT takes at least 1 argument', at);
        return { sql: sql`concat(${sql.join(args.map((x) => sql`${x.sql}::text`))})`, type: 'text' };
      case 'LEN':
      case 'UPPER':
      case 'LOWER': {
        arity(1);
        const fn = sql.raw({ LEN: 'char_length', UPPER: 'upper', LOWER: 'lower' }[name]);
        return { sql: sql`${fn}(${need(a!, ['text'], at, name).sql})`, type: name === 'LEN' ? 'number' : 'text' };
      }
      case 'COALESCE': {
        if (args.length < 2) throw new FormulaError('COALESCE takes at least 2 arguments', at);
        const type = args.find((x) => x.type !== 'null')?.type ?? 'null';
        if (args.some((x) => x.type !== 'null' && x.type !== type)) throw new FormulaError('COALESCE arguments must have the same type', at);
        return { sql: sql`coalesce(${sql.join(args.map((x) => x.sql))})`, type };
      }
      case 'TODAY':
        arity(0);
        return { sql: sql`(now() at time zone ${timeZone})::date`, type: 'date' };
      case 'DAYS':
        arity(2);
        return { sql: sql`(${need(a!, ['date'], at, 'DAYS').sql} - ${need(b!, ['date'], at, 'DAYS').sql})::numeric`, type: 'number' };
      default:
        throw new FormulaError(`unknown function ${name}`, at);
    }
  };

  const unary = (): Compiled => {
    if (is('-')) {
      const { at } = next();
      return { sql: sql`(- ${need(unary(), ['number'], at, 'minus').sql})`, type: 'number' };
    }
    return primary();
  };
  const mul = binary(['*', '/'], unary, (op, l, r, at) => {
    need(l, ['number'], at, op);
    need(r, ['number'], at, op);
    // Division by zero yields null rather than failing the whole read.
    return { sql: op === '*' ? sql`(${l.sql} * ${r.sql})` : sql`(${l.sql} / nullif(${r.sql}, 0))`, type: 'number' };
  });
  const add = binary(['+', '-', '&'], mul, (op, l, r, at) => {
    if (op === '&') return { sql: sql`(coalesce(${l.sql}::text, '') || coalesce(${r.sql}::text, ''))`, type: 'text' };
    if (l.type === 'date' && op === '+') return { sql: sql`(${l.sql} + ${need(r, ['number'], at, op).sql}::int)`, type: 'date' };
    need(l, ['number'], at, op);
    need(r, ['number'], at, op);
    return { sql: op === '+' ? sql`(${l.sql} + ${r.sql})` : sql`(${l.sql} - ${r.sql})`, type: 'number' };
  });
  const cmp = (): Compiled => {
    const left = add();
    const ops = ['=', '!=', '<>', '<', '<=', '>', '>='];
    if (!ops.some(is)) return left;
    const { value, at } = next();
    const right = add();
    if (left.type !== 'null' && right.type !== 'null' && left.type !== right.type) throw new FormulaError(`cannot compare ${left.type} with ${right.type}`, at);
    const op = sql.raw(value === '!=' ? '<>' : value);
    return { sql: sql`(${left.sql} ${op} ${right.sql})`, type: 'boolean' };
  };
  const not = (): Compiled => {
    if (is('NOT')) {
      const { at } = next();
      return { sql: sql`(not ${need(not(), ['boolean'], at, 'NOT').sql})`, type: 'boolean' };
    }
    return cmp();
  };
  const and = binary(['AND'], not, (_op, l, r, at) => ({ sql: sql`(${need(l, ['boolean'], at, 'AND').sql} and ${need(r, ['boolean'], at, 'AND').sql})`, type: 'boolean' }));
  const or = binary(['OR'], and, (_op, l, r, at) => ({ sql: sql`(${need(l, ['boolean'], at, 'OR').sql} or ${need(r, ['boolean'], at, 'OR').sql})`, type: 'boolean' }));

  const result = or();
  if (peek().kind !== 'end') throw new FormulaError(`unexpected "${peek().value}"`, peek().at);
  return result;
}

const RESULT_TYPES: Record<string, FormulaType[]> = { decimal: ['number'], text: ['text', 'number', 'date'], boolean: ['boolean'], date: ['date'] };

/** The formula's SQL cast to its declared result type; a mismatch is refused at publish, never at read. */
export function formulaSql(field: Extract<FieldDefinition, { type: 'formula' }>, object: ObjectDefinition, timeZone = 'UTC'): RawBuilder<unknown> {
  const compiled = compileFormula(field.expression, object, timeZone);
  if (compiled.type !== 'null' && !RESULT_TYPES[field.resultType]!.includes(compiled.type)) {
    throw new FormulaError(`the formula gives ${compiled.type}, but the field is declared ${field.resultType}`, 0);
  }
  const cast = { decimal: sql`numeric`, text: sql`text`, boolean: sql`boolean`, date: sql`date` }[field.resultType];
  return sql`(${compiled.sql})::${cast}`;
}

/** The fields of `object` a formula reads: whoever may not see one of them may not see the formula either. */
export function formulaReferences(expression: string, object: ObjectDefinition): string[] {
  const tokens = tokenize(expression);
  const names = new Set(object.fields.map((f) => f.name));
  return [...new Set(tokens.filter((t) => t.kind === 'id' && names.has(t.value)).map((t) => t.value))];
}
