/**
 * What every action entry point shares: the main/post split, turning errors into a failed step
 * with a clear message, and the input reader.
 */
import * as core from '@actions/core';
import { envInputReader, Inputs } from '../inputs';

export interface ActionContext {
  readonly inputs: Inputs;
}

export interface ActionDefinition {
  readonly main: (context: ActionContext) => Promise<void>;
  /** Runs in the post step (always(), also after failure or cancellation). */
  readonly post?: (context: ActionContext) => Promise<void>;
}

const POST_STATE = 'slipway-post';

/** Runs the main or the post phase of an action and reports failures as a failed step. */
export async function runAction(definition: ActionDefinition): Promise<void> {
  const context: ActionContext = { inputs: new Inputs(envInputReader()) };
  const isPost = core.getState(POST_STATE) === 'true';
  try {
    if (isPost) {
      await definition.post?.(context);
      return;
    }
    if (definition.post) core.saveState(POST_STATE, 'true');
    await definition.main(context);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isPost) core.warning(`cleanup: ${message}`);
    else core.setFailed(message);
    if (process.env.RUNNER_DEBUG === '1' && error instanceof Error && error.stack) core.debug(error.stack);
  }
}

export class NotImplementedError extends Error {
  constructor(action: string) {
    super(`${action}: inputs are valid, but this action is not implemented yet`);
    this.name = 'NotImplementedError';
  }
}
