import { runPipeline } from '../operations/pipeline';
import { afterPush } from '../operations/push';
import { afterTest } from '../operations/test';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runPipeline(inputs, report),
  async post({ report }) {
    await afterTest(report);
    await afterPush(report);
  },
});
