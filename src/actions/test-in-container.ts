import { afterTest, runTest } from '../test-in-container/operation';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runTest(inputs, report),
  post: ({ report }) => afterTest(report),
});
