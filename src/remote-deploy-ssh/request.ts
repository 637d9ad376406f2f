/** remote-deploy-ssh's three modes, and the choice between them. */
import type { Inputs } from '../common/inputs';
import { type ComposeRequest, readComposeRequest } from '../deploy-compose/request';
import { type DeployRequest, readDeployRequest } from '../deploy-container/request';
import { readSwarmRequest, type SwarmRequest } from '../deploy-swarm/request';

export type AnyDeployRequest = DeployRequest | ComposeRequest | SwarmRequest;

/** swarm: true → Swarm; compose-file → Compose; else one container per host. */
export function readAnyDeployRequest(inputs: Inputs): AnyDeployRequest {
  if (inputs.boolean('swarm', false)) return readSwarmRequest(inputs);
  if (inputs.string('compose-file')) return readComposeRequest(inputs);
  return readDeployRequest(inputs);
}
