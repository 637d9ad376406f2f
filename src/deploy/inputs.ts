/** The inputs of remote-deploy-ssh: the connection (every mode) and the single-container mode, checked before anything connects. */
import { InputError, type Inputs } from '../inputs';
import { type ImageReference, isRegistryHost, parseReference } from '../reference';
import { KnownHosts } from '../ssh/known-hosts';
import { parseEndpoint, type SshEndpoint } from '../ssh/ssh-runner';
import { hasControlCharacter } from '../text';

export type Strategy = 'rolling' | 'recreate';

/** How Slipway reaches the hosts and guards them: the same in every deploy mode. */
export interface Connection {
  readonly hosts: readonly SshEndpoint[];
  readonly username: string;
  readonly privateKey: string;
  readonly passphrase?: string;
  readonly knownHosts?: KnownHosts;
  readonly insecureIgnoreHostKey: boolean;
  readonly jump?: SshEndpoint & { username?: string };
  readonly registry?: string;
  readonly registryUsername?: string;
  readonly registryPassword?: string;
  readonly maxParallel: number;
  readonly lockTimeoutMs: number;
  readonly dryRun: boolean;
  readonly rollback: boolean;
  readonly healthTimeoutMs: number;
}

/** Single-container mode. */
export interface DeployRequest extends Connection {
  readonly mode: 'container';
  /** Absent only for a rollback. */
  readonly image?: ImageReference;
  readonly name: string;
  readonly port?: number;
  readonly publish?: number;
  readonly healthPath?: string;
  readonly healthCmd?: string;
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly secretEnv: ReadonlyArray<readonly [string, string]>;
  readonly volumes: readonly string[];
  readonly network?: string;
  readonly preDeploy?: string;
  readonly strategy: Strategy;
  readonly keep: number;
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

/** The hosts, credentials and guards every mode shares. */
export function readConnection(inputs: Inputs): Connection {
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
  let jump: Connection['jump'];
  if (jumpText) {
    const at = jumpText.lastIndexOf('@');
    const endpoint = inputs.parsed('jump-host', () =>
      parseEndpoint(at >= 0 ? jumpText.slice(at + 1) : jumpText),
    );
    jump = { ...(endpoint as SshEndpoint), ...(at >= 0 && { username: jumpText.slice(0, at) }) };
  }
  const registry = inputs.line('registry');
  if (registry && !isRegistryHost(registry))
    throw new InputError('registry', `${JSON.stringify(registry)} is not a registry host[:port]`);
  const registryUsername = inputs.line('registry-username');
  const registryPassword = inputs.string('registry-password');
  if (registryPassword && !registryUsername)
    throw new InputError('registry-username', 'is required with registry-password');
  const passphrase = inputs.string('passphrase');
  return {
    hosts,
    username,
    privateKey,
    ...(passphrase && { passphrase }),
    ...(knownHosts && { knownHosts }),
    insecureIgnoreHostKey,
    ...(jump && { jump }),
    ...(registry && { registry }),
    ...(registryUsername && { registryUsername }),
    ...(registryPassword && { registryPassword }),
    maxParallel: inputs.integer('max-parallel', 2, { min: 1, max: 100 }),
    lockTimeoutMs: inputs.duration('lock-timeout', 900_000),
    dryRun: inputs.boolean('dry-run', false),
    rollback: inputs.boolean('rollback', false),
    healthTimeoutMs: inputs.duration('health-timeout', 120_000),
  };
}

/** A service name: what the lock, the audit log and the containers are named after. */
export function readName(inputs: Inputs, name = 'name'): string {
  const value = inputs.line(name);
  if (!value) inputs.required(name);
  if (!NAME.test(value))
    throw new InputError(
      name,
      `${JSON.stringify(value)} must be lowercase letters, digits, _ . - (at most 63)`,
    );
  return value;
}

export function readPort(inputs: Inputs, name: string): number | undefined {
  return port(inputs, name);
}

export function readEnv(inputs: Inputs, name: 'env' | 'secret-env'): Array<[string, string]> {
  return envValues(inputs, name);
}

export function readProxyImage(inputs: Inputs): ImageReference {
  return inputs.parsed('proxy-image', (v) => parseReference(v)) ?? parseReference(DEFAULT_PROXY_IMAGE);
}

/** Inputs that belong to another mode are refused, so a typo never deploys something else. */
export function refuseInputs(inputs: Inputs, names: readonly string[], mode: string): void {
  for (const name of names) {
    if (inputs.string(name).trim()) throw new InputError(name, `is not used in ${mode} mode; remove it`);
  }
}

export function readDeployRequest(inputs: Inputs): DeployRequest {
  const connection = readConnection(inputs);
  refuseInputs(inputs, ['images', 'stack-file', 'compose-project'], 'single-container');
  const rollback = connection.rollback;
  const imageText = inputs.string('image');
  const image = imageText ? inputs.parsed('image', (v) => parseReference(v)) : undefined;
  if (!image && !rollback) inputs.required('image');
  const name = readName(inputs);
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
  const keep = inputs.integer('keep', 3, { min: 0, max: 50 });
  const preDeploy = inputs.string('pre-deploy');
  const registry = connection.registry ?? image?.registry;
  return {
    ...connection,
    mode: 'container',
    ...(registry && { registry }),
    ...(image && { image }),
    name,
    ...(containerPort !== undefined && { port: containerPort }),
    ...(publish !== undefined && { publish }),
    ...(healthPath && { healthPath }),
    ...(healthCmd && { healthCmd }),
    env: envValues(inputs, 'env'),
    secretEnv: envValues(inputs, 'secret-env'),
    volumes: inputs.parsedList('volumes', parseVolume),
    ...(network && { network }),
    ...(preDeploy && { preDeploy }),
    strategy: inputs.oneOf('strategy', ['rolling', 'recreate'] as const, 'rolling'),
    keep,
    proxyImage: readProxyImage(inputs),
  };
}
