/** The inputs of remote-deploy-ssh's swarm mode (a service, or a stack, through a manager), checked before anything connects. */
import { InputError, type Inputs } from '../common/inputs';
import { type ImageReference, parseReference } from '../common/reference';
import type { StackImage } from '../deploy-stack/compose-file';
import {
  type Connection,
  readConnection,
  readEnv,
  readName,
  readPort,
  readProxyImage,
  refuseInputs,
} from '../deploy-core/inputs';
import { readStackFile, readStackImages, stackRegistry } from '../deploy-stack/stack-inputs';

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

export function readSwarmRequest(inputs: Inputs): SwarmRequest {
  const connection = readConnection(inputs);
  refuseInputs(
    inputs,
    ['compose-file', 'volumes', 'pre-deploy', 'network', 'health-path', 'rollback-to'],
    'swarm',
  );
  if (inputs.string('secret-env'))
    throw new InputError(
      'secret-env',
      "is not supported in swarm mode: a service's env is on docker service's command line on the manager and in the service's spec (docker service inspect shows it); use Docker secrets in a stack-file",
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
