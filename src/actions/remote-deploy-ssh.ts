import { afterDeploy, runDeployOperation } from '../operations/deploy';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runDeployOperation(inputs, report),
  post: ({ inputs, report }) => afterDeploy(inputs, report),
});
