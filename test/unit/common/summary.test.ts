import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/common/secrets';
import { Code, cell, formatBytes, formatDuration, table, writeSummary } from '../../../src/common/summary';
import { tempDir } from '../../helpers/temp';

describe('summary', () => {
  it('renders a table whose cells cannot break it', () => {
    expect(
      table(
        ['Ref', 'Size'],
        [
          ['a|b', 10],
          ['line\nbreak', '<b>x</b>'],
        ],
      ),
    ).toBe(
      ['| Ref | Size |', '| --- | --- |', '| a\\|b | 10 |', '| line<br>break | &lt;b&gt;x&lt;/b&gt; |'].join(
        '\n',
      ),
    );
  });

  it('renders code cells', () => {
    expect(table(['r'], [[new Code('app:1')]])).toContain('| `app:1` |');
    expect(new Code('a`b').text).toBe('``a`b``');
    expect(cell(undefined)).toBe('');
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(104_857_600)).toBe('100.0 MiB');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('appends to the summary file', () => {
    const file = join(tempDir('summary'), 'summary.md');
    writeSummary(['# one'], file);
    writeSummary(['two'], file);
    expect(readFileSync(file, 'utf8')).toBe('# one\n\ntwo\n\n');
  });

  it('redacts secrets in captured text', () => {
    expect(redact('login with hunter22 ok', ['hunter22'])).toBe('login with *** ok');
  });
});
