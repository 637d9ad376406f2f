import { afterPush, runPush } from '../operations/push';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runPush(inputs, report),
  post: ({ report }) => afterPush(report),
});
