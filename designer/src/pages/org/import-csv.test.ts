import { describe, expect, it } from 'vitest';
import { csvTemplate, decodeCsv, importRowErrors } from './import-csv.ts';

describe('csvTemplate', () => {
  it('has a byte-order mark and the localised header row', () => {
    expect(csvTemplate('zh-CN')).toBe('\uFEFF登录名,姓名,邮箱,手机,部门,职位,上级,密码,语言\r\n');
    expect(csvTemplate('en').startsWith('\uFEFFlogin,displayName,')).toBe(true);
  });
});

describe('decodeCsv', () => {
  it('reads UTF-8 and drops the byte-order mark', () => {
    const bytes = new TextEncoder().encode('\uFEFF登录名,姓名\nzhangwei,张伟\n');
    expect(decodeCsv(bytes)).toBe('登录名,姓名\nzhangwei,张伟\n');
  });

  it('falls back to GB18030 for files saved by Chinese Excel', () => {
    // "张伟" in GBK.
    const bytes = new Uint8Array([0x7a, 0x77, 0x2c, 0xd5, 0xc5, 0xce, 0xb0]);
    expect(decodeCsv(bytes)).toBe('zw,张伟');
  });
});

describe('importRowErrors', () => {
  it('returns the well-formed rows of the error details', () => {
    const details = {
      rows: [{ row: 2, column: 'login', code: 'INVALID_VALUE', message: 'bad' }, { row: 'x' }, { row: 3, column: null, code: 'DUPLICATE', message: 'dup' }],
    };
    expect(importRowErrors(details)).toEqual([
      { row: 2, column: 'login', code: 'INVALID_VALUE', message: 'bad' },
      { row: 3, column: null, code: 'DUPLICATE', message: 'dup' },
    ]);
    expect(importRowErrors({})).toEqual([]);
    expect(importRowErrors({ rows: 'none' })).toEqual([]);
  });
});
