import * as core from '@actions/core';
import { logoutAndRemove, PUSH_CONFIG_STATE, PUSH_REGISTRY_STATE } from '../operations/push';
import { runPipeline } from '../operations/pipeline';
import { cleanupTest, TEST_SESSION_STATE } from '../operations/test';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runPipeline(inputs, report),
  async post({ report }) {
    const session = core.getState(TEST_SESSION_STATE);
    if (session) {
      const removed = await cleanupTest(session);
      if (removed > 0) report.info(`Removed ${removed} leftover container(s) of ${session}`);
    }
    const dir = core.getState(PUSH_CONFIG_STATE);
    if (dir) {
      await logoutAndRemove(dir, core.getState(PUSH_REGISTRY_STATE));
      report.info('Removed the private docker config and its login');
    }
  },
});
