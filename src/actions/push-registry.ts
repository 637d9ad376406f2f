import { afterPush, runPush } from '../push-registry/operation';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runPush(inputs, report),
  post: ({ report }) => afterPush(report),
});
