import { afterRemoteOperation, runRemoteOperation } from '../remote-deploy-ssh/dispatch';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report, signal }) => runRemoteOperation(inputs, report, signal),
  post: ({ inputs, report }) => afterRemoteOperation(inputs, report),
  cancellable: true,
});
