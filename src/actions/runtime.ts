/**
 * What every action entry point shares: the main/post split, the reporter that speaks the runner's
 * language (log commands, outputs, state, job summary), and turning errors into a failed step.
 */
import * as core from '../common/workflow-commands';
import { envInputReader, Inputs } from '../common/inputs';
import type { Outcome, Reporter } from '../common/reporter';
import { maskSecret } from '../common/secrets';
import { writeSummary } from '../common/summary';
import { abortOnSignals } from '../common/cancel';
import { exposeGc } from '../common/gc';
import { collectWith } from '../registry/memory';

export interface ActionContext {
  readonly inputs: Inputs;
  readonly report: Reporter;
  /** Aborted on SIGINT/SIGTERM, for a main step that declared itself cancellable. */
  readonly signal?: AbortSignal;
}

export interface ActionDefinition {
  readonly main: (context: ActionContext) => Promise<Outcome | void>;
  /** Runs in the post step (always(), also after failure or cancellation). */
  readonly post?: (context: ActionContext) => Promise<void>;
  /** The main step cleans up on cancellation (SIGINT/SIGTERM) instead of exiting at once. */
  readonly cancellable?: boolean;
}

const POST_STATE = 'slipway-post';

/** The GitHub runner as a Reporter. */
export const actionReporter: Reporter = {
  info: (line) => core.info(line),
  warning: (line) => core.warning(line),
  annotate: (message, where) =>
    core.error(message, {
      ...(where.title && { title: where.title }),
      ...(where.file && { file: where.file }),
      ...(where.line !== undefined && { startLine: where.line }),
    }),
  group: (title, work) => core.group(title, work),
  stream: (chunk) => process.stdout.write(chunk),
  mask: (secret) => maskSecret(secret),
  saveState: (name, value) => core.saveState(name, value),
  readState: (name) => core.getState(name),
  exportVariable: (name, value) => core.exportVariable(name, value),
};

/** Writes an operation's outputs and summary; its error fails the step. */
export function finish(outcome: Outcome): void {
  for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
  writeSummary(outcome.summary);
  if (outcome.error) throw new Error(outcome.error);
}

/** Runs the main or the post phase of an action and reports failures as a failed step. */
export async function runAction(definition: ActionDefinition): Promise<void> {
  // Blobs streamed through this process are collected as they go (src/registry/memory.ts).
  collectWith(exposeGc);
  const context: ActionContext = { inputs: new Inputs(envInputReader()), report: actionReporter };
  const isPost = core.getState(POST_STATE) === 'true';
  try {
    if (isPost) {
      await definition.post?.(context);
      return;
    }
    if (definition.post) core.saveState(POST_STATE, 'true');
    const outcome = await definition.main(
      definition.cancellable ? { ...context, signal: abortOnSignals((line) => core.warning(line)) } : context,
    );
    if (outcome) finish(outcome);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (isPost) core.warning(`cleanup: ${message}`);
    else core.setFailed(message);
    if (process.env.RUNNER_DEBUG === '1' && error instanceof Error && error.stack) core.debug(error.stack);
  }
}
