/**
 * The buildx program the docker CLI would run for `docker buildx …`, found the way the CLI finds
 * its plugins, so it can be run standalone (`docker-buildx build …`, a mode buildx supports, as
 * docker's actions-toolkit does with a standalone buildx). That skips the docker CLI's own start
 * and the `docker-cli-plugin-metadata` call it makes before every plugin command: about 55 ms of
 * every buildx command on this machine (bench/build.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The docker CLI's system plugin directories on Linux, in its search order. */
export const SYSTEM_PLUGIN_DIRS: readonly string[] = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins',
];

/** The docker CLI's plugin directories: its config's cliPluginsExtraDirs, <config dir>/cli-plugins, the system ones. */
export function pluginDirs(
  configDir: string,
  configText: string | undefined,
  systemDirs: readonly string[] = SYSTEM_PLUGIN_DIRS,
): string[] {
  let extra: string[] = [];
  try {
    const config = JSON.parse(configText ?? '{}') as { cliPluginsExtraDirs?: unknown };
    if (Array.isArray(config.cliPluginsExtraDirs))
      extra = config.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string' && d !== '');
  } catch {
    // an unreadable config: the CLI would complain; its default directories still apply
  }
  return [...extra, join(configDir, 'cli-plugins'), ...systemDirs];
}

/**
 * The buildx program to run standalone, or undefined to go through `docker buildx`.
 * SLIPWAY_BUILDX names it, or `docker` always goes through the docker client (SLIPWAY_DOCKER).
 * Otherwise the first docker-buildx that exists in the CLI's plugin directories, as the CLI takes
 * it; one that is not an executable file is left to the CLI, which says what is wrong with it.
 */
export function findBuildxPlugin(
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
  systemDirs: readonly string[] = SYSTEM_PLUGIN_DIRS,
): string | undefined {
  if (env.SLIPWAY_BUILDX) return env.SLIPWAY_BUILDX === 'docker' ? undefined : env.SLIPWAY_BUILDX;
  const configDir = env.DOCKER_CONFIG || join(home, '.docker');
  let configText: string | undefined;
  try {
    configText = readFileSync(join(configDir, 'config.json'), 'utf8');
  } catch {
    // no config.json
  }
  for (const dir of pluginDirs(configDir, configText, systemDirs)) {
    const path = join(dir, 'docker-buildx');
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    return stat.isFile() && (stat.mode & 0o111) !== 0 ? path : undefined;
  }
  return undefined;
}
