import { describe, expect, it } from 'vitest';
import { Redactor } from './redact.ts';

const TOKEN = 'tb-secret-9f3c1a7e';
const QUOTED = 'pa"ss\\w0rd';

describe('redacting the secrets a run read', () => {
  it('replaces each secret wherever it appears, as many times as it appears', () => {
    expect(new Redactor([TOKEN]).text(`Bearer ${TOKEN}, again ${TOKEN}`)).toBe('Bearer ***, again ***');
  });

  it('finds a secret escaped by JSON, once (inside a logged object) or twice (a JSON string inside one)', () => {
    const r = new Redactor([QUOTED]);
    const once = JSON.stringify({ password: QUOTED });
    const twice = JSON.stringify({ body: once });
    expect(r.text(once)).toBe('{"password":"***"}');
    expect(r.text(twice)).toBe('{"body":"{\\"password\\":\\"***\\"}"}');
    expect(r.text(QUOTED)).toBe('***');
  });

  it('takes off the start of a secret that a string was cut in, from 4 characters on', () => {
    const r = new Redactor([TOKEN]);
    expect(r.text('x'.repeat(10) + TOKEN.slice(0, 16))).toBe('x'.repeat(10) + '***');
    expect(r.text('id tb-s')).toBe('id ***');
    expect(r.text('id tb-')).toBe('id tb-');
    // The start of a secret in the middle of a string is not a cut: only a whole secret goes there.
    expect(r.text('tb-secret-9 and more')).toBe('tb-secret-9 and more');
    expect(new Redactor([QUOTED]).text('{"password":"pa\\"ss')).toBe('{"password":"***');
  });

  it('redacts every string of a JSON value, keys included, and leaves other values alone', () => {
    const r = new Redactor([TOKEN]);
    const value = { url: `https://erp.example.net/?api_key=${TOKEN}`, [TOKEN]: [1, true, null, { deep: `at erp (${TOKEN})` }] };
    expect(r.json(value)).toEqual({ url: 'https://erp.example.net/?api_key=***', '***': [1, true, null, { deep: 'at erp (***)' }] });
    expect(r.json(42)).toBe(42);
  });

  it('replaces the longer of two secrets that contain one another whole', () => {
    expect(new Redactor(['abcd', 'abcdefgh']).text('key abcdefgh!')).toBe('key ***!');
  });

  it('leaves everything as it is when the run read no secret, or only ones too short to look for', () => {
    const value = { a: 'abc tb-s' };
    expect(new Redactor([]).json(value)).toBe(value);
    expect(new Redactor(['abc']).text('abc abc')).toBe('abc abc');
  });
});
