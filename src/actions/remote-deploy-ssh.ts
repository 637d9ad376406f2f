import * as core from '@actions/core';
import { DEPLOY_LOCK_STATE, releaseDeployLocks, runDeployOperation } from '../operations/deploy';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runDeployOperation(inputs, report),
  async post({ inputs, report }) {
    // Only when the main step was killed while holding locks (cancelled job): release them.
    const id = core.getState(DEPLOY_LOCK_STATE);
    if (id) await releaseDeployLocks(inputs, report, id);
  },
});
