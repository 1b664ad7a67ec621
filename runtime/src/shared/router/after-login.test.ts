import { describe, expect, it } from 'vitest';
import { afterLogin } from './after-login.ts';

describe('afterLogin', () => {
  it('returns to the page the person wanted', () => {
    expect(afterLogin('/account?tab=tokens')).toBe('/account?tab=tokens');
  });

  it('goes home when there is no usable target', () => {
    for (const target of [undefined, null, '', 'account', 'https://evil.example/', '//evil.example/x', '/\\evil.example', ['/a']]) {
      expect(afterLogin(target)).toEqual({ name: 'home' });
    }
  });
});
