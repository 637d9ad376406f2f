/** The inputs of remote-deploy-ssh's single-container mode, checked before anything connects. */
import { InputError, type Inputs, refuseOption } from '../common/inputs';
import { type ImageReference, parseReference } from '../common/reference';
import {
  type Connection,
  readConnection,
  readEnv,
  readName,
  readPort,
  readProxyImage,
  refuseInputs,
} from '../deploy-core/inputs';
import { parseRoutes, type ProxyPorts, type Route, type TlsMode } from '../proxy/caddy';

export type Strategy = 'rolling' | 'recreate';

/** `hostnames`: the service is served by the host's shared proxy. */
export interface SharedRouting {
  readonly routes: readonly Route[];
  readonly tls: TlsMode;
  readonly acmeEmail?: string;
  readonly acmeCa?: string;
  readonly acmeCaRoot?: string;
  readonly ports: ProxyPorts;
}

const SHARED_ONLY = ['tls', 'acme-email', 'acme-ca', 'acme-ca-root', 'http-port', 'https-port'] as const;

/** hostnames and the inputs that go with it; every one of those without hostnames is refused. */
export function readSharedRouting(inputs: Inputs): SharedRouting | undefined {
  const lines = inputs.list('hostnames');
  if (lines.length === 0) {
    for (const name of SHARED_ONLY)
      if (inputs.string(name).trim()) throw new InputError(name, 'is used with hostnames (the shared proxy)');
    return undefined;
  }
  const routes = inputs.parsed('hostnames', () => parseRoutes(lines)) as Route[];
  const tls = inputs.oneOf('tls', ['auto', 'internal', 'off'] as const, 'auto');
  const acmeEmail = inputs.line('acme-email');
  // Only the characters of plain addresses: `#` or a backtick would start a comment or a quoted
  // token in the Caddyfile it is written into.
  if (acmeEmail && !/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/.test(acmeEmail))
    throw new InputError('acme-email', `${JSON.stringify(acmeEmail)} is not an email address`);
  const acmeCa = inputs.line('acme-ca');
  if (acmeCa && !/^https:\/\/[A-Za-z0-9.[\]:-]+(\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*)?$/.test(acmeCa))
    throw new InputError('acme-ca', `${JSON.stringify(acmeCa)} is not an https:// ACME directory URL`);
  const acmeCaRoot = inputs.string('acme-ca-root').trim();
  if (acmeCaRoot && !/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----$/.test(acmeCaRoot))
    throw new InputError('acme-ca-root', 'is not a PEM certificate (-----BEGIN CERTIFICATE-----)');
  if (acmeCaRoot && !acmeCa) throw new InputError('acme-ca-root', 'is used with acme-ca');
  if (tls !== 'auto') {
    for (const name of ['acme-email', 'acme-ca', 'acme-ca-root'])
      if (inputs.string(name).trim()) throw new InputError(name, `is not used with tls: ${tls}`);
  }
  const http = readPort(inputs, 'http-port') ?? 80;
  const https = readPort(inputs, 'https-port') ?? 443;
  if (http === https) throw new InputError('https-port', `must differ from http-port (${http})`);
  return {
    routes,
    tls,
    ...(acmeEmail && { acmeEmail }),
    ...(acmeCa && { acmeCa }),
    ...(acmeCaRoot && { acmeCaRoot: `${acmeCaRoot}\n` }),
    ports: { http, https },
  };
}

/** Single-container mode. */
export interface DeployRequest extends Connection {
  readonly mode: 'container';
  /** Absent only for a rollback. */
  readonly image?: ImageReference;
  readonly name: string;
  readonly port?: number;
  readonly publish?: number;
  /** Served by the host's shared proxy by hostname (instead of a proxy of its own on `publish`). */
  readonly shared?: SharedRouting;
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
  /** proxy-image was given (not the default): a shared proxy running another image is upgraded to it. */
  readonly proxyImageGiven: boolean;
  /** With rollback: the kept version to go back to (version, digest or container), else the previous one. */
  readonly rollbackTo?: string;
}

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

export function readDeployRequest(inputs: Inputs): DeployRequest {
  const connection = readConnection(inputs);
  refuseInputs(inputs, ['images', 'stack-file', 'compose-project'], 'single-container');
  const rollback = connection.rollback;
  const rollbackTo = inputs.line('rollback-to');
  if (rollbackTo && !rollback) throw new InputError('rollback-to', 'is used with rollback: true');
  if (rollbackTo && !/^(sha256:[0-9a-f]{64}|[A-Za-z0-9][A-Za-z0-9_.-]{0,127})$/.test(rollbackTo))
    throw new InputError(
      'rollback-to',
      `${JSON.stringify(rollbackTo)} is not a version, a digest or a container name`,
    );
  const imageText = inputs.string('image');
  const image = imageText ? inputs.parsed('image', (v) => parseReference(v)) : undefined;
  if (!image && !rollback) inputs.required('image');
  const name = readName(inputs);
  const healthPath = inputs.line('health-path');
  if (healthPath && !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$/.test(healthPath)) {
    throw new InputError('health-path', `${JSON.stringify(healthPath)} must be a URL path starting with /`);
  }
  const healthCmd = inputs.line('health-cmd');
  const publish = readPort(inputs, 'publish');
  const containerPort = readPort(inputs, 'port');
  if (publish !== undefined && containerPort === undefined)
    throw new InputError('port', 'is required with publish (the port the app listens on)');
  const shared = readSharedRouting(inputs);
  if (shared && publish !== undefined)
    throw new InputError('publish', 'is not used with hostnames (the shared proxy serves the service)');
  if (shared && containerPort === undefined)
    throw new InputError('port', 'is required with hostnames (the port the app listens on)');
  if (healthPath && containerPort === undefined) throw new InputError('port', 'is required with health-path');
  const network = inputs.line('network');
  if (network && !NETWORK.test(network))
    throw new InputError('network', `${JSON.stringify(network)} is not a network name`);
  const keep = inputs.integer('keep', 3, { min: 0, max: 50 });
  const preDeploy = inputs.string('pre-deploy');
  refuseOption('pre-deploy', preDeploy); // sh -c would read it as an option
  const registry = connection.registry ?? image?.registry;
  return {
    ...connection,
    mode: 'container',
    ...(registry && { registry }),
    ...(image && { image }),
    name,
    ...(containerPort !== undefined && { port: containerPort }),
    ...(publish !== undefined && { publish }),
    ...(shared && { shared }),
    ...(healthPath && { healthPath }),
    ...(healthCmd && { healthCmd }),
    env: readEnv(inputs, 'env'),
    secretEnv: readEnv(inputs, 'secret-env'),
    volumes: inputs.parsedList('volumes', parseVolume),
    ...(network && { network }),
    ...(preDeploy && { preDeploy }),
    strategy: inputs.oneOf('strategy', ['rolling', 'recreate'] as const, 'rolling'),
    keep,
    proxyImage: readProxyImage(inputs),
    proxyImageGiven: inputs.string('proxy-image').trim() !== '',
    ...(rollbackTo && { rollbackTo }),
  };
}
