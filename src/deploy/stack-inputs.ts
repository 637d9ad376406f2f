/**
 * The inputs of remote-deploy-ssh's stack modes — a Compose project on each host, or Docker Swarm
 * through a manager — checked before anything connects, and the choice between the three modes.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, type Inputs } from '../inputs';
import { type ImageReference, parseReference } from '../reference';
import { checkSameTag, checkStack, ComposeFileError, type StackImage } from './compose-file';
import {
  type Connection,
  type DeployRequest,
  readConnection,
  readDeployRequest,
  readEnv,
  readName,
  readPort,
  readProxyImage,
  refuseInputs,
} from './inputs';

export interface ComposeRequest extends Connection {
  readonly mode: 'compose';
  /** The compose project: names the lock, the directory on the hosts and the containers. */
  readonly name: string;
  readonly composeFile: string;
  readonly composeText: string;
  readonly images: readonly StackImage[];
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly secretEnv: ReadonlyArray<readonly [string, string]>;
}

export interface SwarmRequest extends Connection {
  readonly mode: 'swarm';
  /** The service (or, with a stack file, the stack) name. */
  readonly name: string;
  readonly stack?: { readonly file: string; readonly text: string };
  /** Stack images (with a stack file). */
  readonly images: readonly StackImage[];
  /** The service image (without a stack file). */
  readonly image?: ImageReference;
  readonly port?: number;
  readonly publish?: number;
  readonly replicas?: number;
  readonly healthCmd?: string;
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly proxyImage: ImageReference;
}

export type AnyDeployRequest = DeployRequest | ComposeRequest | SwarmRequest;

/** `service=registry/repo:tag` */
export function parseStackImage(line: string): StackImage {
  const eq = line.indexOf('=');
  if (eq <= 0) throw new Error(`each line must be service=image, got ${JSON.stringify(line)}`);
  const service = line.slice(0, eq).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(service))
    throw new Error(`${JSON.stringify(service)} is not a service name`);
  return { service, image: parseReference(line.slice(eq + 1).trim()) };
}

function readStackImages(inputs: Inputs): StackImage[] {
  const images = inputs.parsedList('images', parseStackImage);
  const seen = new Set<string>();
  for (const { service } of images) {
    if (seen.has(service)) throw new InputError('images', `service ${service} is given more than once`);
    seen.add(service);
  }
  if (inputs.boolean('require-same-tag', false)) {
    try {
      checkSameTag(images);
    } catch (error) {
      throw new InputError('images', (error as Error).message);
    }
  }
  return images;
}

/**
 * The registry the hosts log in to for a stack: the `registry` input, else the one registry all
 * the images come from (with several, the input must say which).
 */
function stackRegistry(connection: Connection, images: readonly StackImage[]): string | undefined {
  if (connection.registry) return connection.registry;
  const registries = [...new Set(images.map((i) => i.image.registry))];
  if (registries.length > 1 && connection.registryPassword)
    throw new InputError(
      'registry',
      `is required with registry-password: the images come from ${registries.join(', ')}`,
    );
  return registries[0];
}

/** Reads a compose/stack file of the repository and checks it against the images. */
function readStackFile(
  inputs: Inputs,
  name: 'compose-file' | 'stack-file',
  images: readonly StackImage[],
): { file: string; text: string } {
  const file = inputs.line(name);
  let text: string;
  try {
    text = readFileSync(resolve(process.env.GITHUB_WORKSPACE ?? '.', file), 'utf8');
  } catch (error) {
    throw new InputError(name, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    checkStack(text, images);
  } catch (error) {
    if (error instanceof ComposeFileError) throw new InputError(name, `${file} ${error.message}`);
    throw error;
  }
  return { file, text };
}

const NOT_FOR_STACKS = [
  'image',
  'volumes',
  'port',
  'publish',
  'pre-deploy',
  'network',
  'health-path',
  'health-cmd',
];

export function readComposeRequest(inputs: Inputs): ComposeRequest {
  const connection = readConnection(inputs);
  refuseInputs(inputs, [...NOT_FOR_STACKS, 'stack-file'], 'compose');
  const name = inputs.string('compose-project') ? readName(inputs, 'compose-project') : readName(inputs);
  const images = readStackImages(inputs);
  const { file, text } = readStackFile(inputs, 'compose-file', images);
  const registry = stackRegistry(connection, images);
  return {
    ...connection,
    ...(registry && { registry }),
    mode: 'compose',
    name,
    composeFile: file,
    composeText: text,
    images,
    env: readEnv(inputs, 'env'),
    secretEnv: readEnv(inputs, 'secret-env'),
  };
}

export function readSwarmRequest(inputs: Inputs): SwarmRequest {
  const connection = readConnection(inputs);
  refuseInputs(inputs, ['compose-file', 'volumes', 'pre-deploy', 'network', 'health-path'], 'swarm');
  if (inputs.string('secret-env'))
    throw new InputError(
      'secret-env',
      'is not supported in swarm mode: docker service update would put the values on a command line; use Swarm secrets in a stack-file',
    );
  const name = readName(inputs);
  const replicasText = inputs.string('replicas');
  const env = readEnv(inputs, 'env');
  if (inputs.string('stack-file')) {
    refuseInputs(inputs, ['image', 'port', 'publish', 'replicas', 'health-cmd', 'env'], 'swarm stack');
    const images = readStackImages(inputs);
    const registry = stackRegistry(connection, images);
    return {
      ...connection,
      ...(registry && { registry }),
      mode: 'swarm',
      name,
      stack: readStackFile(inputs, 'stack-file', images),
      images,
      env,
      proxyImage: readProxyImage(inputs),
    };
  }
  refuseInputs(inputs, ['images'], 'swarm service (without stack-file)');
  const image = inputs.parsed('image', (v) => parseReference(v));
  if (!image && !connection.rollback) inputs.required('image');
  const publish = readPort(inputs, 'publish');
  const port = readPort(inputs, 'port');
  if (publish !== undefined && port === undefined)
    throw new InputError('port', 'is required with publish (the port the app listens on)');
  const healthCmd = inputs.line('health-cmd');
  const registry = connection.registry ?? image?.registry;
  return {
    ...connection,
    mode: 'swarm',
    ...(registry && { registry }),
    name,
    images: [],
    ...(image && { image }),
    ...(port !== undefined && { port }),
    ...(publish !== undefined && { publish }),
    ...(replicasText && { replicas: inputs.integer('replicas', 1, { min: 0, max: 1000 }) }),
    ...(healthCmd && { healthCmd }),
    env,
    proxyImage: readProxyImage(inputs),
  };
}

/** swarm: true → Swarm; compose-file → Compose; else one container per host. */
export function readAnyDeployRequest(inputs: Inputs): AnyDeployRequest {
  if (inputs.boolean('swarm', false)) return readSwarmRequest(inputs);
  if (inputs.string('compose-file')) return readComposeRequest(inputs);
  return readDeployRequest(inputs);
}
