/**
 * Our workflow commands against @actions/core itself as the judge: the same calls write the same
 * bytes to stdout and to the runner's files (delimiters, which are random, aside).
 */
import * as core from '@actions/core';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as ours from '../../../src/common/workflow-commands';
import { tempDir } from '../../helpers/temp';

type Api = Pick<
  typeof ours,
  | 'info'
  | 'debug'
  | 'warning'
  | 'error'
  | 'setSecret'
  | 'setFailed'
  | 'group'
  | 'setOutput'
  | 'saveState'
  | 'getState'
  | 'exportVariable'
>;

const tricky = 'a%b\r\nc:d,e';

async function transcript(api: Api, files: boolean): Promise<{ stdout: string; files: string; env: string }> {
  const dir = tempDir('workflow-commands');
  const paths = { OUTPUT: join(dir, 'output'), STATE: join(dir, 'state'), ENV: join(dir, 'env') };
  for (const [kind, path] of Object.entries(paths)) {
    writeFileSync(path, '');
    if (files) process.env[`GITHUB_${kind}`] = path;
    else delete process.env[`GITHUB_${kind}`];
  }
  process.env.STATE_saved = 'from the main step';
  let stdout = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  try {
    api.info(`plain ${tricky}`);
    api.debug(`debug ${tricky}`);
    api.warning(`warn ${tricky}`);
    api.warning('with properties', { title: `t ${tricky}`, file: 'src/x.ts', startLine: 3 });
    api.error('line zero is left out', { title: 'x', startLine: 0 });
    api.setSecret(`multi\nline secret`);
    await api.group(`group ${tricky}`, async () => api.info('inside'));
    api.setOutput('digest', `sha256:abc\nsecond line`);
    api.setOutput('count', 3);
    api.saveState('slipway-post', 'true');
    api.exportVariable('SLIPWAY_TEST_VAR', { json: true });
    api.info(`state ${api.getState('saved')}|${api.getState('missing')}`);
    api.setFailed(`failed ${tricky}`);
  } finally {
    write.mockRestore();
  }
  const env = process.env.SLIPWAY_TEST_VAR ?? '';
  process.exitCode = 0;
  const text = Object.values(paths)
    .map((p) => readFileSync(p, 'utf8'))
    .join('---\n')
    .replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIMITER');
  return { stdout, files: text, env };
}

describe('workflow commands', () => {
  const saved = { ...process.env };
  beforeEach(() => delete process.env.SLIPWAY_TEST_VAR);
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  it('writes what @actions/core writes, with the runner files', async () => {
    const expected = await transcript(core, true);
    const actual = await transcript(ours, true);
    expect(actual).toEqual(expected);
    expect(actual.files).toContain('digest<<DELIMITER\nsha256:abc\nsecond line\nDELIMITER\n');
    expect(actual.stdout).toContain('::error::failed a%25b%0D%0Ac:d,e');
    expect(actual.stdout).toContain('::warning title=t a%25b%0D%0Ac%3Ad%2Ce,file=src/x.ts,line=3::');
  });

  it('writes what @actions/core writes without them (the old stdout commands)', async () => {
    const expected = await transcript(core, false);
    const actual = await transcript(ours, false);
    expect(actual).toEqual(expected);
    expect(actual.stdout).toContain('::set-output name=digest::sha256:abc%0Asecond line');
  });

  it('refuses a file that does not exist, like @actions/core', () => {
    process.env.GITHUB_OUTPUT = join(tempDir('workflow-commands'), 'missing');
    expect(() => ours.setOutput('x', 'y')).toThrow(/Missing file at path/);
    expect(() => core.setOutput('x', 'y')).toThrow(/Missing file at path/);
  });
});
