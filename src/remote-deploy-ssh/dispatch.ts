/**
 * remote-deploy-ssh's `operation` input: a deploy (the default), or one of the day-two operations
 * on a service's hosts — its deploy freeze (lock-acquire, lock-release, lock-status). The inputs of
 * a deploy (image, ports…) are not read by the other operations.
 */
import type { Inputs } from '../common/inputs';
import type { Outcome, Reporter } from '../common/reporter';
import { runLockOperation } from './lock';
import { afterDeploy, runDeployOperation } from './operation';

export const OPERATIONS = ['deploy', 'lock-acquire', 'lock-release', 'lock-status'] as const;
export type OperationName = (typeof OPERATIONS)[number];

export function readOperation(inputs: Inputs): OperationName {
  return inputs.oneOf('operation', OPERATIONS, 'deploy');
}

export function runRemoteOperation(inputs: Inputs, report: Reporter, signal?: AbortSignal): Promise<Outcome> {
  const operation = readOperation(inputs);
  switch (operation) {
    case 'deploy':
      return runDeployOperation(inputs, report, signal);
    case 'lock-acquire':
      return runLockOperation('acquire', inputs, report, signal);
    case 'lock-release':
      return runLockOperation('release', inputs, report, signal);
    case 'lock-status':
      return runLockOperation('status', inputs, report, signal);
  }
}

/** The post step: only a deploy leaves anything to finish (its state says so). */
export async function afterRemoteOperation(inputs: Inputs, report: Reporter): Promise<void> {
  if (readOperation(inputs) === 'deploy') await afterDeploy(inputs, report);
}
