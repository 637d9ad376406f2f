import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuildxPlugin, pluginDirs, SYSTEM_PLUGIN_DIRS } from '../../../src/docker/buildx-plugin';
import { buildxInspect } from '../../../src/docker/builds';
import { tempDir } from '../../helpers/temp';

function plugin(dir: string, mode: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'docker-buildx');
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

describe('the buildx plugin, found where the docker CLI finds it', () => {
  it('searches the config extra dirs, then <config dir>/cli-plugins, then the system dirs', () => {
    expect(pluginDirs('/home/u/.docker', undefined)).toEqual([
      '/home/u/.docker/cli-plugins',
      ...SYSTEM_PLUGIN_DIRS,
    ]);
    expect(pluginDirs('/cfg', JSON.stringify({ cliPluginsExtraDirs: ['/x', 3, ''] }))).toEqual([
      '/x',
      '/cfg/cli-plugins',
      ...SYSTEM_PLUGIN_DIRS,
    ]);
    expect(pluginDirs('/cfg', '{not json')).toEqual(['/cfg/cli-plugins', ...SYSTEM_PLUGIN_DIRS]);
  });

  it('takes the first that exists, as the CLI does; one the CLI could not run is left to the CLI', () => {
    const home = tempDir('buildx-plugin');
    const config = join(home, 'cfg');
    const extra = join(home, 'extra');
    const system = [join(home, 'system')];
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [extra] }));
    const env = { DOCKER_CONFIG: config };
    expect(findBuildxPlugin(env, home, system)).toBeUndefined(); // none anywhere: `docker buildx`
    const inSystem = plugin(system[0] as string, 0o755);
    expect(findBuildxPlugin(env, home, system)).toBe(inSystem);
    const inConfig = plugin(join(config, 'cli-plugins'), 0o755);
    expect(findBuildxPlugin(env, home, system)).toBe(inConfig);
    // The first one found is not executable: the CLI would stop there and say so.
    plugin(extra, 0o644);
    expect(findBuildxPlugin(env, home, system)).toBeUndefined();
    chmodSync(join(extra, 'docker-buildx'), 0o755);
    expect(findBuildxPlugin(env, home, system)).toBe(join(extra, 'docker-buildx'));
  });

  it('SLIPWAY_BUILDX names the program, or `docker` to go through the docker client', () => {
    expect(findBuildxPlugin({ SLIPWAY_BUILDX: '/opt/buildx' }, '/nowhere', [])).toBe('/opt/buildx');
    expect(findBuildxPlugin({ SLIPWAY_BUILDX: 'docker' }, '/nowhere', [])).toBeUndefined();
  });

  it('runs buildx inspect standalone with the same arguments and environment', () => {
    const target = { docker: '/usr/bin/docker', env: { DOCKER_HOST: 'tcp://h:2375' } };
    expect(buildxInspect(target, 'lab').argv).toEqual(['/usr/bin/docker', 'buildx', 'inspect', 'lab']);
    const standalone = buildxInspect({ ...target, buildx: '/p/docker-buildx' }, 'lab');
    expect(standalone.argv).toEqual(['/p/docker-buildx', 'inspect', 'lab']);
    expect(standalone.env).toEqual({ DOCKER_HOST: 'tcp://h:2375' });
  });
});
