import { describe, expect, it } from 'vitest';
import { envInputReader, InputError, Inputs, parseDuration } from '../../../src/common/inputs';
import { parseReference } from '../../../src/common/reference';

const inputs = (values: Record<string, string>) => new Inputs((name) => values[name]);

describe('Inputs', () => {
  it('reads INPUT_* variables the way the runner sets them', () => {
    const read = envInputReader({ 'INPUT_PRIVATE-KEY': 'k', INPUT_DRY_RUN: 'true', INPUT_IMAGE: ' app ' });
    const i = new Inputs(read);
    expect(i.string('private-key')).toBe('k');
    expect(i.boolean('dry run', false)).toBe(true);
    expect(i.string('image')).toBe('app');
  });

  it('names the input when a required one is missing', () => {
    expect(() => inputs({}).required('image')).toThrow('input "image": is required');
    expect(() => inputs({ image: '   ' }).required('image')).toThrow(InputError);
    expect(() => inputs({ image: '\n#c\n' }).requiredList('image')).toThrow('input "image": is required');
  });

  it('parses booleans strictly', () => {
    expect(inputs({ a: 'true', b: 'FALSE', c: 'yes' }).boolean('a', false)).toBe(true);
    expect(inputs({ b: 'FALSE' }).boolean('b', true)).toBe(false);
    expect(inputs({}).boolean('x', true)).toBe(true);
    expect(() => inputs({ a: 'treu' }).boolean('a', false)).toThrow(
      'input "a": must be true or false, got "treu"',
    );
  });

  it('parses integers with bounds', () => {
    expect(inputs({ n: '3' }).integer('n', 1, { min: 1 })).toBe(3);
    expect(inputs({}).integer('n', 7)).toBe(7);
    expect(() => inputs({ n: '-1' }).integer('n', 1, { min: 0 })).toThrow('input "n": must be at least 0');
    expect(() => inputs({ n: '1.5' }).integer('n', 1)).toThrow('whole number');
    expect(() => inputs({ n: '3; rm -rf /' }).integer('n', 1)).toThrow('whole number');
  });

  it('parses lists, with comments and optional commas', () => {
    const i = inputs({ l: ' a \n\n# comment\nb, c\n' });
    expect(i.list('l')).toEqual(['a', 'b, c']);
    expect(i.list('l', { commas: true })).toEqual(['a', 'b', 'c']);
    expect(inputs({}).list('l')).toEqual([]);
  });

  it('parses KEY=VALUE lines and rejects bad keys and duplicates', () => {
    expect(inputs({ e: 'A=1\nB=x=y\nC=' }).keyValues('e')).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['C', ''],
    ]);
    expect(() => inputs({ e: 'novalue' }).keyValues('e')).toThrow('input "e": each line must be KEY=VALUE');
    expect(() => inputs({ e: '=v' }).keyValues('e')).toThrow('KEY=VALUE');
    expect(() => inputs({ e: '1A=v' }).keyValues('e')).toThrow('not a valid variable name');
    expect(() => inputs({ e: 'A;B=v' }).keyValues('e')).toThrow('not a valid variable name');
    expect(() => inputs({ e: 'A=1\nA=2' }).keyValues('e')).toThrow('A is given more than once');
  });

  it('never shows the value of a secret input in an error', () => {
    const secret = 'pa$word1 #x';
    const errors = [
      () => inputs({ 'secret-env': `TOKEN ${secret}` }).keyValues('secret-env'),
      () => inputs({ 'secret-env': `TO KEN=${secret}` }).keyValues('secret-env'),
      () => inputs({ passphrase: `${secret}\u0007` }).line('passphrase'),
      () =>
        inputs({ password: secret }).parsed('password', (v) => {
          throw new Error(`bad ${v}`);
        }),
    ];
    for (const fail of errors) {
      expect(fail).toThrow(InputError);
      expect(fail).not.toThrow('word1');
    }
    expect(() => inputs({ 'secret-env': `TOKEN ${secret}` }).keyValues('secret-env')).toThrow(
      'input "secret-env": each line must be KEY=VALUE, got line 1',
    );
    // Not secret: the line is shown, to help.
    expect(() => inputs({ env: 'TOKEN x' }).keyValues('env')).toThrow('got "TOKEN x"');
  });

  it('refuses durations under a minimum, and operands that look like options', () => {
    expect(() => inputs({ t: '0' }).duration('t', 5000)).toThrow('input "t": must be at least 1 s, got "0"');
    expect(inputs({ t: '250ms' }).duration('t', 5000, { minMs: 100 })).toBe(250);
    expect(() => inputs({ c: '--help' }).operand('c')).toThrow('input "c": "--help" starts with "-"');
    expect(inputs({}).operand('c', '.')).toBe('.');
  });

  it('refuses control characters in single-line values', () => {
    expect(inputs({ n: 'web' }).line('n')).toBe('web');
    expect(() => inputs({ n: 'web\nrm' }).line('n')).toThrow('input "n": must be a single line');
  });

  it('restricts choices', () => {
    expect(inputs({ s: 'recreate' }).oneOf('s', ['rolling', 'recreate'], 'rolling')).toBe('recreate');
    expect(() => inputs({ s: 'yolo' }).oneOf('s', ['rolling', 'recreate'], 'rolling')).toThrow(
      'input "s": must be one of rolling, recreate, got "yolo"',
    );
  });

  it('attributes parse errors of list items to the input', () => {
    const i = inputs({ image: 'ok/app\nBad;App' });
    expect(() => i.parsedList('image', (v) => parseReference(v))).toThrow(
      'input "image": invalid image reference "Bad;App"',
    );
    expect(inputs({ image: 'a\nb' }).parsedList('image', (v) => parseReference(v).repository)).toEqual([
      'library/a',
      'library/b',
    ]);
  });
});

describe('durations', () => {
  it.each([
    ['90', 90_000],
    ['1.5', 1500],
    ['90s', 90_000],
    ['250ms', 250],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'abc', '-5', '5x', '5m abc', 's', '1h 30m', 'm5'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('names the input on a bad duration', () => {
    expect(() => inputs({ timeout: '-5' }).duration('timeout', 1000)).toThrow(
      'input "timeout": must be a duration',
    );
  });
});
