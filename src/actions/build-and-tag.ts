import { runBuild } from '../build-and-tag/operation';
import { runAction } from './runtime';

void runAction({
  cancellable: true,
  main: ({ inputs, report, signal }) => runBuild(inputs, report, undefined, signal),
});
