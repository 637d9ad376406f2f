/** remote-deploy-ssh's three modes, and the choice between them. */
import type { Inputs } from '../common/inputs';
import { type ComposeRequest, readComposeRequest } from '../deploy-compose/request';
import { type DeployRequest, readDeployRequest } from '../deploy-container/request';
import { refuseInputs } from '../deploy-core/inputs';
import { readSwarmRequest, type SwarmRequest } from '../deploy-swarm/request';

export type AnyDeployRequest = DeployRequest | ComposeRequest | SwarmRequest;

/** The host's shared proxy serves single containers only (Swarm and Compose publish their own ports). */
const SHARED_PROXY_INPUTS = [
  'hostnames',
  'tls',
  'acme-email',
  'acme-ca',
  'acme-ca-root',
  'http-port',
  'https-port',
] as const;

/** swarm: true → Swarm; compose-file → Compose; else one container per host. */
export function readAnyDeployRequest(inputs: Inputs): AnyDeployRequest {
  if (inputs.boolean('swarm', false)) {
    refuseInputs(inputs, SHARED_PROXY_INPUTS, 'swarm');
    return readSwarmRequest(inputs);
  }
  if (inputs.string('compose-file')) {
    refuseInputs(inputs, SHARED_PROXY_INPUTS, 'compose');
    return readComposeRequest(inputs);
  }
  return readDeployRequest(inputs);
}
