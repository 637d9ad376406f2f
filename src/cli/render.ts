/**
 * Summaries for people at a terminal: the operations' job-summary Markdown (headings, tables, inline
 * code, as src/common/summary.ts writes it) rendered as aligned plain text.
 */

/** Undoes summary.ts's escaping: inline code marks, HTML entities, escaped pipes; <br> becomes a newline. */
function plain(cell: string): string {
  return cell
    .trim()
    .replace(/``(.*?)``|`([^`]*)`/g, (_, a?: string, b?: string) => a ?? b ?? '')
    .replaceAll('\\|', '|')
    .replaceAll('<br>', '\n')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** The cells of one table row, split on the pipes that are not escaped. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map(plain);
}

function renderTable(rows: string[][]): string {
  const [head = [], ...body] = rows;
  if (head.every((h) => h === '')) {
    // facts(): a key per line, multi-line values indented under it.
    const width = Math.max(0, ...body.map((r) => (r[0] ?? '').length)) + 1;
    return body
      .map(([key = '', value = '']) =>
        `${`${key}:`.padEnd(width + 1)}${value.split('\n').join(`\n${' '.repeat(width + 1)}`)}`.trimEnd(),
      )
      .join('\n');
  }
  const flat = [head, ...body].map((r) => r.map((c) => c.replaceAll('\n', ', ')));
  const widths = head.map((_, i) => Math.max(...flat.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [
    line(flat[0] as string[]),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...flat.slice(1).map(line),
  ].join('\n');
}

/** One summary block (Markdown) as plain text. */
export function summaryText(block: string): string {
  const out: string[] = [];
  let table: string[][] = [];
  const flush = () => {
    if (table.length > 0) out.push(renderTable(table));
    table = [];
  };
  for (const line of block.split('\n')) {
    if (/^\s*\|.*\|\s*$/.test(line)) {
      if (!/^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(line)) table.push(cells(line));
      continue;
    }
    flush();
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    out.push(heading ? plain(heading[1] as string) : plain(line));
  }
  flush();
  return out.join('\n');
}
