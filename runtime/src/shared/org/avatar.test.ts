import { describe, expect, it } from 'vitest';
import { avatarColor, avatarInitials } from './avatar.ts';

describe('avatarInitials', () => {
  it('uses the last two characters of a Chinese name', () => {
    expect(avatarInitials('张伟')).toBe('张伟');
    expect(avatarInitials('欧阳娜娜')).toBe('娜娜');
    expect(avatarInitials('李')).toBe('李');
  });

  it('uses the first letters of the first two words otherwise', () => {
    expect(avatarInitials('Emily Carter')).toBe('EC');
    expect(avatarInitials('emily')).toBe('EM');
    expect(avatarInitials('john.smith')).toBe('JS');
  });

  it('never returns an empty string', () => {
    expect(avatarInitials('   ')).toBe('?');
  });
});

describe('avatarColor', () => {
  it('is stable for the same seed', () => {
    expect(avatarColor('abc')).toBe(avatarColor('abc'));
    expect(avatarColor('abc')).toMatch(/^#[0-9a-f]{6}$/);
  });
});
