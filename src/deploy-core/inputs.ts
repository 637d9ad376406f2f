/** The inputs every deploy mode of remote-deploy-ssh shares (the connection, names, ports, env), checked before anything connects. */
import { InputError, type Inputs } from '../common/inputs';
import { type ImageReference, isRegistryHost, parseReference } from '../common/reference';
import { KnownHosts } from '../ssh/known-hosts';
import { parseEndpoint, type SshEndpoint } from '../ssh/ssh-runner';
import { hasControlCharacter } from '../common/text';
import { fingerprintKey } from './fingerprint';
import { readVerifyPolicy } from '../supply-chain/inputs';
import type { VerifyPolicy } from '../supply-chain/verify';

/** How Slipway reaches the hosts and guards them: the same in every deploy mode. */
export interface Connection {
  readonly hosts: readonly SshEndpoint[];
  readonly username: string;
  readonly privateKey: string;
  /** Keys the configuration fingerprints on the hosts (see fingerprint.ts). */
  readonly fingerprintKey: Buffer;
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
  /** With rollback: go through a deploy freeze (see freeze.ts). */
  readonly force: boolean;
  /** The deploy runs inside maintenance mode (remote-deploy-ssh/maintenance.ts): it is not refused by it. */
  readonly maintenance: boolean;
  readonly healthTimeoutMs: number;
  /** verify-key and require-attestations: what every image must carry before a host is touched. */
  readonly verify?: VerifyPolicy;
}

export const DEFAULT_PROXY_IMAGE = 'docker.io/library/caddy:2';
const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export function readPort(inputs: Inputs, name: string): number | undefined {
  const value = inputs.string(name);
  if (value === '') return undefined;
  return inputs.integer(name, 0, { min: 1, max: 65535 });
}

export function readEnv(inputs: Inputs, name: 'env' | 'secret-env'): Array<[string, string]> {
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

/** How a host is compared: the name without case or a final dot, and the port (22 when not given). */
export function endpointKey({ host, port }: SshEndpoint): string {
  return `${host.toLowerCase().replace(/\.$/, '')}:${port}`;
}

/** The hosts: each once (a host listed twice would wait on its own deploy lock). */
function readHosts(inputs: Inputs): SshEndpoint[] {
  const hosts = inputs.parsedList('hosts', (v) => parseEndpoint(v), { required: true });
  const seen = new Map<string, string>();
  inputs.list('hosts').forEach((text, i) => {
    const key = endpointKey(hosts[i] as SshEndpoint);
    const earlier = seen.get(key);
    if (earlier !== undefined)
      throw new InputError(
        'hosts',
        `${JSON.stringify(text)} is the same host as ${JSON.stringify(earlier)} (${key}); list each host once`,
      );
    seen.set(key, text);
  });
  return hosts;
}

/** The hosts, credentials and guards every mode shares. */
export function readConnection(inputs: Inputs): Connection {
  const hosts = readHosts(inputs);
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
    if (knownHosts && !insecureIgnoreHostKey && knownHosts.keysFor(jump.host, jump.port).length === 0)
      throw new InputError(
        'known-hosts',
        `has no key for the jump-host ${jump.host}:${jump.port}; its key must be pinned like every host's`,
      );
  }
  const registry = inputs.line('registry');
  if (registry && !isRegistryHost(registry))
    throw new InputError('registry', `${JSON.stringify(registry)} is not a registry host[:port]`);
  const registryUsername = inputs.line('registry-username');
  const registryPassword = inputs.string('registry-password');
  if (registryPassword && !registryUsername)
    throw new InputError('registry-username', 'is required with registry-password');
  const passphrase = inputs.string('passphrase');
  const verify = readVerifyPolicy(inputs);
  const rollback = inputs.boolean('rollback', false);
  const force = inputs.boolean('force', false);
  if (force && !rollback)
    throw new InputError(
      'force',
      'only lets a rollback through a deploy freeze; a deploy never goes through one',
    );
  return {
    hosts,
    username,
    privateKey,
    fingerprintKey: fingerprintKey(privateKey),
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
    rollback,
    force,
    maintenance: inputs.boolean('maintenance', false),
    healthTimeoutMs: inputs.duration('health-timeout', 120_000),
    ...(verify && { verify }),
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

export function readProxyImage(inputs: Inputs): ImageReference {
  return inputs.parsed('proxy-image', (v) => parseReference(v)) ?? parseReference(DEFAULT_PROXY_IMAGE);
}

/** Inputs that belong to another mode are refused, so a typo never deploys something else. */
export function refuseInputs(inputs: Inputs, names: readonly string[], mode: string): void {
  for (const name of names) {
    if (inputs.string(name).trim()) throw new InputError(name, `is not used in ${mode} mode; remove it`);
  }
}
