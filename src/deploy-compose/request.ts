/** The inputs of remote-deploy-ssh's compose mode (a Compose project on each host), checked before anything connects. */
import type { Inputs } from '../common/inputs';
import type { StackImage } from '../deploy-stack/compose-file';
import { type Connection, readConnection, readEnv, readName, refuseInputs } from '../deploy-core/inputs';
import { NOT_FOR_STACKS, readStackFile, readStackImages, stackRegistry } from '../deploy-stack/stack-inputs';

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

export function readComposeRequest(inputs: Inputs): ComposeRequest {
  const connection = readConnection(inputs);
  refuseInputs(inputs, [...NOT_FOR_STACKS, 'stack-file', 'rollback-to'], 'compose');
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
