/** The inputs of remote-deploy-ssh (single-container mode), checked before anything connects. */
import { InputError, type Inputs } from '../inputs';
import { type ImageReference, isRegistryHost, parseReference } from '../reference';
import { KnownHosts } from '../ssh/known-hosts';
import { parseEndpoint, type SshEndpoint } from '../ssh/ssh-runner';
import { hasControlCharacter } from '../text';

export type Strategy = 'rolling' | 'recreate';

export interface DeployRequest {
  readonly hosts: readonly SshEndpoint[];
  readonly username: string;
  readonly privateKey: string;
  readonly passphrase?: string;
  readonly knownHosts?: KnownHosts;
  readonly insecureIgnoreHostKey: boolean;
  readonly jump?: SshEndpoint & { username?: string };
  /** Absent only for a rollback. */
  readonly image?: ImageReference;
  readonly name: string;
  readonly port?: number;
  readonly publish?: number;
  readonly healthPath?: string;
  readonly healthCmd?: string;
  readonly healthTimeoutMs: number;
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly secretEnv: ReadonlyArray<readonly [string, string]>;
  readonly volumes: readonly string[];
  readonly network?: string;
  readonly registry?: string;
  readonly registryUsername?: string;
  readonly registryPassword?: string;
  readonly preDeploy?: string;
  readonly strategy: Strategy;
  readonly maxParallel: number;
  readonly keep: number;
  readonly rollback: boolean;
  readonly lockTimeoutMs: number;
  readonly dryRun: boolean;
  readonly proxyImage: ImageReference;
}

export const DEFAULT_PROXY_IMAGE = 'docker.io/library/caddy:2';
const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const NETWORK = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PATH = /^\/[^\s:,]*$/;

/** name:/path[:ro|rw] or /host/path:/path[:ro|rw] — named volumes and bind mounts, nothing else. */
export function parseVolume(spec: string): string {
  const parts = spec.split(':');
  const [source = '', target = '', mode, extra] = parts;
  if (extra !== undefined || !target)
    throw new Error(`${JSON.stringify(spec)} is not name:/path[:ro] or /host:/path[:ro]`);
  if (!(VOLUME_NAME.test(source) || PATH.test(source)))
    throw new Error(`${JSON.stringify(source)} is not a volume name or an absolute path`);
  if (!PATH.test(target))
    throw new Error(`${JSON.stringify(target)} is not an absolute path in the container`);
  if (mode !== undefined && mode !== 'ro' && mode !== 'rw')
    throw new Error(`${JSON.stringify(mode)} must be ro or rw`);
  return spec;
}

function port(inputs: Inputs, name: string): number | undefined {
  const value = inputs.string(name);
  if (value === '') return undefined;
  return inputs.integer(name, 0, { min: 1, max: 65535 });
}

function envValues(inputs: Inputs, name: string): Array<[string, string]> {
  const pairs = inputs.keyValues(name);
  for (const [key, value] of pairs) {
    if (hasControlCharacter(value))
      throw new InputError(
        name,
        `the value of ${key} has a control character (an env file holds one line per variable)`,
      );
  }
  return pairs;
}

export function readDeployRequest(inputs: Inputs): DeployRequest {
  const hosts = inputs.parsedList('hosts', (v) => parseEndpoint(v), { required: true });
  const username = inputs.line('username');
  if (!username) inputs.required('username');
  if (!/^[a-z_][a-z0-9_.-]*$/i.test(username))
    throw new InputError('username', `${JSON.stringify(username)} is not a user name`);
  const privateKey = inputs.required('private-key');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey)) {
    throw new InputError(
      'private-key',
      'is not a PEM or OpenSSH private key (-----BEGIN … PRIVATE KEY-----)',
    );
  }
  const insecureIgnoreHostKey = inputs.boolean('insecure-ignore-host-key', false);
  const knownHostsText = inputs.string('known-hosts');
  let knownHosts: KnownHosts | undefined;
  if (knownHostsText) {
    knownHosts = inputs.parsed('known-hosts', (v) => KnownHosts.parse(v));
    for (const host of hosts) {
      if (knownHosts && knownHosts.keysFor(host.host, host.port).length === 0 && !insecureIgnoreHostKey) {
        throw new InputError(
          'known-hosts',
          `has no key for ${host.host}:${host.port}; every host's key must be pinned`,
        );
      }
    }
  } else if (!insecureIgnoreHostKey) {
    throw new InputError(
      'known-hosts',
      'is required: pin every host key (or set insecure-ignore-host-key: true, for throwaway hosts only)',
    );
  }
  const jumpText = inputs.line('jump-host');
  let jump: DeployRequest['jump'];
  if (jumpText) {
    const at = jumpText.lastIndexOf('@');
    const endpoint = inputs.parsed('jump-host', () =>
      parseEndpoint(at >= 0 ? jumpText.slice(at + 1) : jumpText),
    );
    jump = { ...(endpoint as SshEndpoint), ...(at >= 0 && { username: jumpText.slice(0, at) }) };
  }
  const rollback = inputs.boolean('rollback', false);
  const imageText = inputs.string('image');
  const image = imageText ? inputs.parsed('image', (v) => parseReference(v)) : undefined;
  if (!image && !rollback) inputs.required('image');
  const name = inputs.line('name');
  if (!name) inputs.required('name');
  if (!NAME.test(name))
    throw new InputError(
      'name',
      `${JSON.stringify(name)} must be lowercase letters, digits, _ . - (at most 63)`,
    );
  const healthPath = inputs.line('health-path');
  if (healthPath && !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/.test(healthPath)) {
    throw new InputError('health-path', `${JSON.stringify(healthPath)} must be a URL path starting with /`);
  }
  const healthCmd = inputs.line('health-cmd');
  const publish = port(inputs, 'publish');
  const containerPort = port(inputs, 'port');
  if (publish !== undefined && containerPort === undefined)
    throw new InputError('port', 'is required with publish (the port the app listens on)');
  if (healthPath && containerPort === undefined) throw new InputError('port', 'is required with health-path');
  const network = inputs.line('network');
  if (network && !NETWORK.test(network))
    throw new InputError('network', `${JSON.stringify(network)} is not a network name`);
  const registry = inputs.line('registry');
  if (registry && !isRegistryHost(registry))
    throw new InputError('registry', `${JSON.stringify(registry)} is not a registry host[:port]`);
  const registryUsername = inputs.line('registry-username');
  const registryPassword = inputs.string('registry-password');
  if (registryPassword && !registryUsername)
    throw new InputError('registry-username', 'is required with registry-password');
  const keep = inputs.integer('keep', 3, { min: 0, max: 50 });
  const proxyImage =
    inputs.parsed('proxy-image', (v) => parseReference(v)) ?? parseReference(DEFAULT_PROXY_IMAGE);
  const passphrase = inputs.string('passphrase');
  const preDeploy = inputs.string('pre-deploy');
  return {
    hosts,
    username,
    privateKey,
    ...(passphrase && { passphrase }),
    ...(knownHosts && { knownHosts }),
    insecureIgnoreHostKey,
    ...(jump && { jump }),
    ...(image && { image }),
    name,
    ...(containerPort !== undefined && { port: containerPort }),
    ...(publish !== undefined && { publish }),
    ...(healthPath && { healthPath }),
    ...(healthCmd && { healthCmd }),
    healthTimeoutMs: inputs.duration('health-timeout', 120_000),
    env: envValues(inputs, 'env'),
    secretEnv: envValues(inputs, 'secret-env'),
    volumes: inputs.parsedList('volumes', parseVolume),
    ...(network && { network }),
    ...((registry || image) && { registry: registry || (image as ImageReference).registry }),
    ...(registryUsername && { registryUsername }),
    ...(registryPassword && { registryPassword }),
    ...(preDeploy && { preDeploy }),
    strategy: inputs.oneOf('strategy', ['rolling', 'recreate'] as const, 'rolling'),
    maxParallel: inputs.integer('max-parallel', 2, { min: 1, max: 100 }),
    keep,
    rollback,
    lockTimeoutMs: inputs.duration('lock-timeout', 900_000),
    dryRun: inputs.boolean('dry-run', false),
    proxyImage,
  };
}
