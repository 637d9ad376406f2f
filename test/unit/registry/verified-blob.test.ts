import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { VerifiedBlob } from '../../../src/registry/blobs';

const bytes = Buffer.from('a blob of some bytes');
const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Streams `chunks` through a VerifiedBlob for `bytes`; what passed on, and the error. */
async function through(chunks: Buffer[], size = bytes.length) {
  const verified = new VerifiedBlob({
    digest,
    size,
    what: 'source registry r: blob d',
    stalled: () => 'stalled',
  });
  let passed = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      passed += chunk.length;
      callback();
    },
  });
  const error = await pipeline(Readable.from(chunks), verified, sink).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  return { passed, error, failure: verified.failure };
}

describe('a blob checked as it streams', () => {
  it('passes a blob of its size and digest', async () => {
    expect(await through([bytes.subarray(0, 5), bytes.subarray(5)])).toEqual({
      passed: bytes.length,
      error: undefined,
      failure: undefined,
    });
  });

  it('never passes on a byte past its size', async () => {
    const endless = Array.from({ length: 100 }, () => bytes);
    const run = await through(endless);
    expect(run.passed).toBeLessThanOrEqual(bytes.length);
    expect(run.error?.message).toBe(
      `source registry r: blob d is longer than its descriptor's ${bytes.length} bytes; nothing past them was sent`,
    );
    expect(run.failure).toBe(run.error);
  });

  it('fails a body that ends short of its size, and one that does not hash to its digest', async () => {
    expect((await through([bytes.subarray(0, 4)])).error?.message).toBe(
      `source registry r: blob d ended after 4 of its ${bytes.length} bytes`,
    );
    const corrupt = Buffer.from(bytes);
    corrupt[0] = 0;
    expect((await through([corrupt])).error?.message).toMatch(
      /^source registry r: blob d hashed to sha256:[0-9a-f]{64}$/,
    );
  });
});
