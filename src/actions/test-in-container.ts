import { afterTest, runTest } from '../operations/test';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runTest(inputs, report),
  post: ({ report }) => afterTest(report),
});
