import { afterDeploy, runDeployOperation } from '../remote-deploy-ssh/operation';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runDeployOperation(inputs, report),
  post: ({ inputs, report }) => afterDeploy(inputs, report),
});
