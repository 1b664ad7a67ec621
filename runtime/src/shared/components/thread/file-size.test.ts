import { describe, expect, it } from 'vitest';
import { formatBytes } from './file-size.ts';

describe('formatBytes', () => {
  it('picks the unit and keeps one decimal below ten', () => {
    expect(formatBytes(512, 'en')).toBe('512 byte');
    expect(formatBytes(48_213, 'en')).toBe('47 kB');
    expect(formatBytes(1_258_291, 'en')).toBe('1.2 MB');
    expect(formatBytes(3 * 1024 ** 3, 'en')).toBe('3 GB');
  });
});
