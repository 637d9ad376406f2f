import { afterDeploy, runDeployOperation } from '../remote-deploy-ssh/operation';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report, signal }) => runDeployOperation(inputs, report, signal),
  post: ({ inputs, report }) => afterDeploy(inputs, report),
  cancellable: true,
});
