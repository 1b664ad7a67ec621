import type { Locale } from '../contracts/index.ts';

export const IMPORT_ROW_CODES = ['CSV_SYNTAX', 'TOO_MANY_ROWS', 'UNKNOWN_COLUMN', 'MISSING_COLUMN', 'INVALID_VALUE', 'DUPLICATE_IN_FILE', 'LOGIN_TAKEN', 'MANAGER_NOT_FOUND'] as const;
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
