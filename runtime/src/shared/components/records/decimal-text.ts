/**
 * Exact decimals travel as strings ("0.3500"): these move the point without going through a float,
 * so 0.07 shown as a percent is 7, not 7.000000000000001.
 */
const DECIMAL = /^(-?)(\d*)(?:\.(\d*))?$/;

/** Moves the decimal point `places` to the right (negative: to the left); null when `value` is not a decimal. */
export function shiftDecimal(value: string, places: number): string | null {
  const match = DECIMAL.exec(value.trim());
  if (!match || (match[2] === '' && !match[3])) return null;
  const [, sign = '', whole = '', fraction = ''] = match;
  let digits = whole + fraction;
  let point = whole.length + places;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const fracPart = digits.slice(point).replace(/0+$/, '');
  const result = fracPart ? `${intPart}.${fracPart}` : intPart;
  return sign && /[1-9]/.test(result) ? `-${result}` : result;
}

/** "0.3500" → "35"; the percent a person reads and types. */
export const fractionToPercent = (fraction: string) => shiftDecimal(fraction, 2);
/** "35" → "0.35"; what the API stores for 35 %. */
export const percentToFraction = (percent: string) => shiftDecimal(percent, -2);
