const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;

/** "48 kB", "1.2 MB" in the reader's language (1 kB = 1024 bytes, as file managers show it). */
export function formatBytes(bytes: number, locale: string): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return new Intl.NumberFormat(locale, { style: 'unit', unit: UNITS[unit], unitDisplay: 'short', maximumFractionDigits: digits }).format(value);
}
