import type { Locale } from '../contracts/index.ts';
import type { CellProblem } from '../records/csv-cells.ts';

export const IMPORT_ROW_CODES = [
  'CSV_SYNTAX', 'TOO_MANY_ROWS', 'UNKNOWN_COLUMN', 'MISSING_COLUMN', 'INVALID_VALUE', 'DUPLICATE_IN_FILE', 'LOGIN_TAKEN', 'MANAGER_NOT_FOUND',
  'REFERENCE_NOT_FOUND', 'REFERENCE_AMBIGUOUS', 'VALUE_REPEATED', 'VALUE_TAKEN', 'ROW_REFUSED',
] as const;
export type ImportRowCode = (typeof IMPORT_ROW_CODES)[number];

/** Messages of the per-row errors of a CSV import, shown in a table beside line and column. */
export const importMessages: Record<Locale, Record<ImportRowCode, string>> = {
  en: {
    CSV_SYNTAX: 'The file is not valid CSV here: {reason}',
    TOO_MANY_ROWS: 'At most {max} rows per file; split it.',
    UNKNOWN_COLUMN: 'Unknown column "{column}".',
    MISSING_COLUMN: 'Column "{column}" is required.',
    INVALID_VALUE: '"{column}" {problem}.',
    DUPLICATE_IN_FILE: 'Login "{login}" also appears on line {line}.',
    LOGIN_TAKEN: 'Login "{login}" already exists.',
    MANAGER_NOT_FOUND: 'Manager "{manager}" is neither in the file nor in the directory.',
    REFERENCE_NOT_FOUND: '"{column}": nothing called "{value}" was found.',
    REFERENCE_AMBIGUOUS: '"{column}": more than one match for "{value}"; use its id.',
    VALUE_REPEATED: '"{column}" must be unique, and "{value}" also appears on line {line}.',
    VALUE_TAKEN: '"{column}" must be unique, and another record already has "{value}".',
    ROW_REFUSED: 'The row was refused while importing: {reason}',
  },
  'zh-CN': {
    CSV_SYNTAX: '文件不是有效的 CSV：{reason}',
    TOO_MANY_ROWS: '每个文件最多 {max} 行，请拆分后导入。',
    UNKNOWN_COLUMN: '未知的列“{column}”。',
    MISSING_COLUMN: '缺少必需的列“{column}”。',
    INVALID_VALUE: '“{column}”{problem}。',
    DUPLICATE_IN_FILE: '登录名“{login}”在第 {line} 行也出现了。',
    LOGIN_TAKEN: '登录名“{login}”已存在。',
    MANAGER_NOT_FOUND: '上级“{manager}”既不在文件中，也不在通讯录里。',
    REFERENCE_NOT_FOUND: '“{column}”：找不到“{value}”。',
    REFERENCE_AMBIGUOUS: '“{column}”：“{value}”匹配到多条，请改用其 ID。',
    VALUE_REPEATED: '“{column}”必须唯一，而“{value}”在第 {line} 行也出现了。',
    VALUE_TAKEN: '“{column}”必须唯一，而已有其他记录使用了“{value}”。',
    ROW_REFUSED: '导入时该行被拒绝：{reason}',
  },
};

/** What is wrong with a spreadsheet cell that does not read as its field's type. */
export const cellProblems: Record<Locale, Record<CellProblem, string>> = {
  en: {
    integer: 'is not a whole number',
    decimal: 'is not a number',
    boolean: 'is not yes/no (true, false, 是, 否)',
    date: 'is not a date (2026-11-24)',
    datetime: 'is not a date and time (2026-11-24 09:30)',
    currency: 'is not an amount (1200.50 or 1200.50 CNY)',
    option: 'is not one of the options',
  },
  'zh-CN': {
    integer: '不是整数',
    decimal: '不是数字',
    boolean: '不是“是/否”（true、false、是、否）',
    date: '不是日期（2026-11-24）',
    datetime: '不是日期时间（2026-11-24 09:30）',
    currency: '不是金额（1200.50 或 1200.50 CNY）',
    option: '不是可选项之一',
  },
};

type Issue = { code: string; minimum?: number | bigint; maximum?: number | bigint; values?: readonly unknown[] };

/** What is wrong with one value, from a zod issue, in the reader's language (zod's own text is English). */
export function describeIssue(locale: Locale, issue: Issue, input: unknown): string {
  const zh = locale === 'zh-CN';
  const empty = input === undefined || input === null || input === '';
  switch (issue.code) {
    case 'too_small':
      return empty ? (zh ? '不能为空' : 'is required') : zh ? `太短，至少 ${issue.minimum} 个字符` : `is too short (at least ${issue.minimum} characters)`;
    case 'too_big':
      return zh ? `太长，最多 ${issue.maximum} 个字符` : `is too long (at most ${issue.maximum} characters)`;
    case 'invalid_value':
      return zh ? `应为 ${issue.values?.join('、')} 之一` : `must be one of ${issue.values?.join(', ')}`;
    case 'invalid_format':
      return zh ? '格式不正确' : 'has the wrong format';
    case 'custom':
      return zh ? '含有不允许的字符' : 'contains characters that are not allowed';
    default:
      return empty ? (zh ? '不能为空' : 'is required') : zh ? '无效' : 'is not valid';
  }
}
