import { describe, expect, it } from 'vitest';
import { isMutableTag, isValidMutableTagPattern } from '../../../src/common/mutable-tags';

describe('mutable tags', () => {
  it('matches tags exactly, or with * standing for any characters', () => {
    expect(isMutableTag('latest', ['latest'])).toBe(true);
    expect(isMutableTag('1.2.0', ['latest'])).toBe(false);
    expect(isMutableTag('main-abc', ['main-*'])).toBe(true);
    expect(isMutableTag('main', ['main-*'])).toBe(false);
    expect(isMutableTag('1x2', ['1.2'])).toBe(false); // . is literal
    expect(isMutableTag('anything', ['*'])).toBe(true);
    expect(isMutableTag('latest', [])).toBe(false);
  });

  it('accepts tag patterns only', () => {
    expect(isValidMutableTagPattern('main-*')).toBe(true);
    expect(isValidMutableTagPattern('.hidden')).toBe(false);
    expect(isValidMutableTagPattern('a b')).toBe(false);
    expect(isValidMutableTagPattern('a/b')).toBe(false);
  });
});
