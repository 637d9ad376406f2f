import { runPipeline } from '../pipeline/operation';
import { afterPush } from '../push-registry/operation';
import { afterTest } from '../test-in-container/operation';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runPipeline(inputs, report),
  async post({ report }) {
    await afterTest(report);
    await afterPush(report);
  },
});
