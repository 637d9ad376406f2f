/**
 * Job summary building blocks: pure markdown rendering (tested as strings) and one writer that
 * appends to $GITHUB_STEP_SUMMARY.
 */
import { appendFileSync } from 'node:fs';

/** Escapes a value for a markdown table cell: pipes, newlines and HTML never break the table. */
export function cell(value: unknown): string {
  const text = value === undefined || value === null ? '' : String(value);
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|')
    .replace(/\r?\n/g, '<br>');
}

/** Inline code that survives backticks in the value. */
export function code(value: string): string {
  const fence = value.includes('`') ? '``' : '`';
  return `${fence}${value.replace(/\r?\n/g, ' ')}${fence}`;
}

export function table(headers: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const head = `| ${headers.map(cell).join(' | ')} |`;
  const rule = `| ${headers.map(() => '---').join(' | ')} |`;
  const body = rows.map((row) => `| ${headers.map((_, i) => cellOrCode(row[i])).join(' | ')} |`);
  return [head, rule, ...body].join('\n');
}

/** A value already rendered as inline code is kept; anything else is escaped. */
function cellOrCode(value: unknown): string {
  if (value instanceof Code) return value.text;
  return cell(value);
}

/** Marks a table value to be shown as inline code. */
export class Code {
  readonly text: string;
  constructor(value: string) {
    this.text = code(value).replaceAll('|', '\\|');
  }
}

export function heading(text: string, level = 3): string {
  return `${'#'.repeat(level)} ${cell(text)}`;
}

/** Two-column key/value table, the shape most action summaries need. */
export function facts(rows: ReadonlyArray<readonly [string, unknown]>): string {
  return table(['', ''], rows);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** Appends markdown blocks to the job summary file, when the runner provides one. */
export function writeSummary(blocks: readonly string[], file = process.env.GITHUB_STEP_SUMMARY): void {
  if (!file) return;
  appendFileSync(file, `${blocks.join('\n\n')}\n\n`);
}
