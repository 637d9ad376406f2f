/**
 * Registry credentials: given explicitly (inputs), or found the way docker finds them in
 * config.json — credHelpers for the registry, then credsStore, then auths.
 */
import { execFile } from 'node:child_process';
import { childEnv } from '../command/local-runner';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_REGISTRY } from '../common/reference';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Keys docker uses for a registry in config.json (docker.io has a legacy URL form). */
function configKeys(registry: string): string[] {
  if (registry === DEFAULT_REGISTRY) {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function runHelper(helper: string, registry: string): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { timeout: 15_000, env: childEnv(process.env) },
      (error, stdout) => {
        if (error) {
          resolve(undefined);
          return;
        }
        try {
          const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
          resolve(parsed.Secret ? { username: parsed.Username ?? '', password: parsed.Secret } : undefined);
        } catch {
          resolve(undefined);
        }
      },
    );
    child.stdin?.end(registry === DEFAULT_REGISTRY ? 'https://index.docker.io/v1/' : registry);
  });
}

/** Credentials for a registry from docker's config.json, or undefined (anonymous). */
export async function credentialsFromDockerConfig(
  registry: string,
  configPath = dockerConfigPath(),
): Promise<Credentials | undefined> {
  if (!existsSync(configPath)) return undefined;
  let config: DockerConfig;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as DockerConfig;
  } catch (error) {
    throw new Error(`cannot read ${configPath}: ${error instanceof Error ? error.message : error}`);
  }
  const keys = configKeys(registry);
  const helper = keys.map((k) => config.credHelpers?.[k]).find(Boolean);
  if (helper) return runHelper(helper, registry);
  if (config.credsStore) {
    const stored = await runHelper(config.credsStore, registry);
    if (stored) return stored;
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (entry.username && entry.password) return { username: entry.username, password: entry.password };
    if (entry.identitytoken) return { username: '<token>', password: entry.identitytoken };
  }
  return undefined;
}
