import * as core from '@actions/core';
import { cleanupTest, runTest, TEST_SESSION_STATE } from '../operations/test';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runTest(inputs, report),
  async post({ report }) {
    const id = core.getState(TEST_SESSION_STATE);
    if (!id) return;
    const removed = await cleanupTest(id);
    if (removed > 0) report.info(`Removed ${removed} leftover container(s) of ${id}`);
  },
});
