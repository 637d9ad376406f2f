/**
 * The buildx program the docker CLI would run for `docker buildx …`, found the way the CLI finds
 * its plugins, so it can be run standalone (`docker-buildx build …`, a mode buildx supports, as
 * docker's actions-toolkit does with a standalone buildx). That skips the docker CLI's own start
 * and the `docker-cli-plugin-metadata` call it makes before every plugin command: about 55 ms of
 * every buildx command on this machine (bench/build.ts).
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The docker CLI's system plugin directories on Linux, in its search order. */
export const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins',
] as const;

/** The docker CLI's plugin directories: its config's cliPluginsExtraDirs, <config dir>/cli-plugins, the system ones. */
export function pluginDirs(env: NodeJS.ProcessEnv, home: string, configText?: string): string[] {
  const configDir = env.DOCKER_CONFIG || join(home, '.docker');
  let extra: string[] = [];
  try {
    const config = JSON.parse(configText ?? '{}') as { cliPluginsExtraDirs?: unknown };
    if (Array.isArray(config.cliPluginsExtraDirs))
      extra = config.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string' && d !== '');
  } catch {
    // an unreadable config: the CLI would complain; its default directories still apply
  }
  return [...extra, join(configDir, 'cli-plugins'), ...SYSTEM_PLUGIN_DIRS];
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first executable docker-buildx in the docker CLI's plugin directories, if any. */
export function findBuildxPlugin(env: NodeJS.ProcessEnv = process.env, home = homedir()): string | undefined {
  const configDir = env.DOCKER_CONFIG || join(home, '.docker');
  let configText: string | undefined;
  try {
    configText = readFileSync(join(configDir, 'config.json'), 'utf8');
  } catch {
    // no config.json
  }
  return pluginDirs(env, home, configText)
    .map((dir) => join(dir, 'docker-buildx'))
    .find(executable);
}
