import type { ImportRowError, Locale } from '@threadbase/platform/contracts';

/** The column names the import understands, in either language; they are part of the API, not UI text. */
const TEMPLATE_HEADERS: Record<Locale, string[]> = {
  'zh-CN': ['登录名', '姓名', '邮箱', '手机', '部门', '职位', '上级', '密码', '语言'],
  en: ['login', 'displayName', 'email', 'phone', 'department', 'jobTitle', 'manager', 'password', 'locale'],
};

/** A header-only file; the byte-order mark makes Excel open it as UTF-8 instead of the system code page. */
export function csvTemplate(locale: Locale): string {
  return `\uFEFF${TEMPLATE_HEADERS[locale].join(',')}\r\n`;
}

/**
 * Reads a picked file. Excel on Chinese Windows saves CSV in GBK, so bytes that are not valid UTF-8
 * are read as GB18030 (a superset of GBK) rather than turned into replacement characters.
 */
export function decodeCsv(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('gb18030').decode(bytes);
  }
  return text.replace(/^\uFEFF/, '');
}

/** The per-row problems in the details of an IMPORT_FAILED answer, ignoring anything not shaped like one. */
export function importRowErrors(details: Record<string, unknown>): ImportRowError[] {
  const rows = details.rows;
  if (!Array.isArray(rows)) return [];
  return rows.filter(isRowError);
}

function isRowError(value: unknown): value is ImportRowError {
  if (typeof value !== 'object' || value === null) return false;
  const row = value as Record<string, unknown>;
  return typeof row.row === 'number' && typeof row.message === 'string' && typeof row.code === 'string' && (row.column === null || typeof row.column === 'string');
}
