import { describe, expect, it } from 'vitest';
import { printable } from '../../../src/common/text';

describe('printable', () => {
  it('keeps a line one line: a newline from a registry cannot start a workflow command', () => {
    const hostile = 'application/vnd.x\n::add-mask::ghp_token\r\n::error::fake';
    const line = printable(hostile);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toBe('application/vnd.x\\u000a::add-mask::ghp_token\\u000d\\u000a::error::fake');
    expect(printable('application/vnd.dev.cosign.simplesigning.v1+json')).toBe(
      'application/vnd.dev.cosign.simplesigning.v1+json',
    );
    expect(printable('x'.repeat(300))).toHaveLength(201);
  });
});
