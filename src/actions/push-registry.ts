import * as core from '@actions/core';
import { logoutAndRemove, PUSH_CONFIG_STATE, PUSH_REGISTRY_STATE, runPush } from '../operations/push';
import { runAction } from './runtime';

void runAction({
  main: ({ inputs, report }) => runPush(inputs, report),
  async post({ report }) {
    const dir = core.getState(PUSH_CONFIG_STATE);
    if (!dir) return;
    await logoutAndRemove(dir, core.getState(PUSH_REGISTRY_STATE));
    report.info('Removed the private docker config and its login');
  },
});
