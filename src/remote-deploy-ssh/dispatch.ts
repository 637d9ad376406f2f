/**
 * remote-deploy-ssh's `operation` input: a deploy (the default), or one of the day-two operations
 * on a service's hosts — its deploy freeze (lock-acquire, lock-release, lock-status), a one-off
 * command in the serving version (exec), maintenance mode (maintenance, live). The inputs of
 * a deploy (image, ports…) are not read by the other operations.
 */
import type { Inputs } from '../common/inputs';
import type { Outcome, Reporter } from '../common/reporter';
import { afterExec, runExecOperation } from './exec';
import { releaseLeftLease, runLockOperation } from './lock';
import { deployInMaintenance, runMaintenanceOperation } from './maintenance';
import { afterDeploy, runDeployOperation } from './operation';

export const OPERATIONS = [
  'deploy',
  'lock-acquire',
  'lock-release',
  'lock-status',
  'exec',
  'maintenance',
  'live',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

export function readOperation(inputs: Inputs): OperationName {
  return inputs.oneOf('operation', OPERATIONS, 'deploy');
}

export function runRemoteOperation(inputs: Inputs, report: Reporter, signal?: AbortSignal): Promise<Outcome> {
  const operation = readOperation(inputs);
  switch (operation) {
    case 'deploy':
      return inputs.boolean('maintenance', false) && !inputs.boolean('dry-run', false)
        ? deployInMaintenance(inputs, report, () => runDeployOperation(inputs, report, signal), signal)
        : runDeployOperation(inputs, report, signal);
    case 'lock-acquire':
      return runLockOperation('acquire', inputs, report, signal);
    case 'lock-release':
      return runLockOperation('release', inputs, report, signal);
    case 'lock-status':
      return runLockOperation('status', inputs, report, signal);
    case 'exec':
      return runExecOperation(
        inputs,
        report,
        { out: (chunk) => report.stream(chunk), err: (chunk) => report.stream(chunk) },
        signal,
      );
    case 'maintenance':
    case 'live':
      return runMaintenanceOperation(operation, inputs, report, signal);
  }
}

/** The post step: what a killed run left (its state says what): locks, one-off containers. */
export async function afterRemoteOperation(inputs: Inputs, report: Reporter): Promise<void> {
  const operation = readOperation(inputs);
  if (operation === 'deploy') await afterDeploy(inputs, report);
  if (operation === 'exec') await afterExec(inputs, report);
  // lock-acquire, maintenance, live (and a deploy with maintenance: true).
  await releaseLeftLease(inputs, report);
}
