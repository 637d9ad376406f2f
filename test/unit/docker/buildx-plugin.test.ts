import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuildxPlugin, pluginDirs, SYSTEM_PLUGIN_DIRS } from '../../../src/docker/buildx-plugin';
import { tempDir } from '../../helpers/temp';

describe('the buildx plugin, found where the docker CLI finds it', () => {
  it('searches the config extra dirs, then <DOCKER_CONFIG or ~/.docker>/cli-plugins, then the system dirs', () => {
    expect(pluginDirs({}, '/home/u')).toEqual(['/home/u/.docker/cli-plugins', ...SYSTEM_PLUGIN_DIRS]);
    expect(
      pluginDirs(
        { DOCKER_CONFIG: '/cfg' },
        '/home/u',
        JSON.stringify({ cliPluginsExtraDirs: ['/x', 3, ''] }),
      ),
    ).toEqual(['/x', '/cfg/cli-plugins', ...SYSTEM_PLUGIN_DIRS]);
    expect(pluginDirs({}, '/home/u', '{not json')).toEqual([
      '/home/u/.docker/cli-plugins',
      ...SYSTEM_PLUGIN_DIRS,
    ]);
  });

  it('takes the first executable docker-buildx, skipping one that is not executable', () => {
    const home = tempDir('buildx-plugin');
    const config = join(home, 'cfg');
    const extra = join(home, 'extra');
    mkdirSync(join(config, 'cli-plugins'), { recursive: true });
    mkdirSync(extra, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [extra] }));
    writeFileSync(join(extra, 'docker-buildx'), '#!/bin/sh\n');
    chmodSync(join(extra, 'docker-buildx'), 0o644);
    writeFileSync(join(config, 'cli-plugins', 'docker-buildx'), '#!/bin/sh\n');
    chmodSync(join(config, 'cli-plugins', 'docker-buildx'), 0o755);
    expect(findBuildxPlugin({ DOCKER_CONFIG: config }, home)).toBe(
      join(config, 'cli-plugins', 'docker-buildx'),
    );
    chmodSync(join(extra, 'docker-buildx'), 0o755);
    expect(findBuildxPlugin({ DOCKER_CONFIG: config }, home)).toBe(join(extra, 'docker-buildx'));
  });
});
