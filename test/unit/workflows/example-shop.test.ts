import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../helpers/run-bundle';

const SHOP = join(REPO_ROOT, 'examples', 'shop');
const tutorial = readFileSync(join(SHOP, 'README.md'), 'utf8');
const files = readdirSync(join(SHOP, '.github', 'workflows'));
const yamlLines = (text: string) =>
  text.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));

describe('examples/shop, the tutorial', () => {
  it('shows exactly the workflow files the example has, 40 lines of YAML at most', () => {
    let total = 0;
    for (const file of files) {
      const text = readFileSync(join(SHOP, '.github', 'workflows', file), 'utf8');
      expect(tutorial, `${file} as it is, in the tutorial`).toContain(`\`\`\`yaml\n${text}\`\`\``);
      total += yamlLines(text).length;
    }
    expect(files).toEqual(['shop.yml']);
    expect(total).toBeLessThanOrEqual(40);
  });

  it('needs 8 secrets and variables at most, each in the table with where it lives', () => {
    const section = tutorial.slice(tutorial.indexOf('## 2.'), tutorial.indexOf('## 3.'));
    const rows = section.split('\n').filter((l) => /^\| \d+ \| `SLIPWAY_[A-Z_]+` \|/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(8);
  });

  it('passes pipeline.yml only inputs it has', () => {
    const pipeline = parse(readFileSync(join(REPO_ROOT, '.github', 'workflows', 'pipeline.yml'), 'utf8'));
    const shop = parse(readFileSync(join(SHOP, '.github', 'workflows', 'shop.yml'), 'utf8'));
    const known = Object.keys(pipeline.on.workflow_call.inputs);
    for (const key of Object.keys(shop.jobs.shop.with)) expect(known, key).toContain(key);
    // The buttons' inputs, read by pipeline.yml by name.
    for (const name of ['promote', 'deploy', 'rollback', 'reason'])
      expect(Object.keys(shop.on.workflow_dispatch.inputs)).toContain(name);
  });
});
