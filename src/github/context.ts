/**
 * The GitHub context the actions need, read from the runner's environment and event payload
 * (a plain object, so tag rules and labels are pure functions of it).
 */
import { existsSync, readFileSync } from 'node:fs';

export interface GitContext {
  readonly eventName: string;
  /** refs/heads/main, refs/tags/v1.2.3, refs/pull/7/merge */
  readonly ref: string;
  readonly sha: string;
  readonly runNumber: number;
  readonly runId: string;
  readonly runAttempt: string;
  readonly repository: string;
  readonly serverUrl: string;
  readonly defaultBranch?: string;
  readonly pullRequest?: number;
  /** For pull requests: the head branch (the ref is the merge ref). */
  readonly headRef?: string;
  readonly workspace: string;
  readonly actor: string;
  readonly now: Date;
  /** Off CI: a hash of the work tree's uncommitted changes, when it has any (SLIPWAY_LOCAL_CHANGES). */
  readonly localChanges?: string;
}

interface EventPayload {
  repository?: { default_branch?: string };
  pull_request?: { number?: number; head?: { sha?: string; ref?: string } };
  number?: number;
}

export function readGitContext(env: NodeJS.ProcessEnv = process.env, now = new Date()): GitContext {
  let payload: EventPayload = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath && existsSync(eventPath)) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8')) as EventPayload;
    } catch {
      payload = {};
    }
  }
  const pr = payload.pull_request?.number ?? prNumberFromRef(env.GITHUB_REF ?? '');
  const sha = payload.pull_request?.head?.sha ?? env.GITHUB_SHA ?? '';
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    sha,
    runNumber: Number(env.GITHUB_RUN_NUMBER ?? '0') || 0,
    runId: env.GITHUB_RUN_ID ?? '',
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    repository: env.GITHUB_REPOSITORY ?? '',
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    ...(payload.repository?.default_branch && { defaultBranch: payload.repository.default_branch }),
    ...(pr !== undefined && { pullRequest: pr }),
    ...((payload.pull_request?.head?.ref ?? env.GITHUB_HEAD_REF) && {
      headRef: payload.pull_request?.head?.ref ?? env.GITHUB_HEAD_REF,
    }),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    actor: env.GITHUB_ACTOR ?? '',
    now,
    ...(env.SLIPWAY_LOCAL_CHANGES && { localChanges: env.SLIPWAY_LOCAL_CHANGES }),
  };
}

function prNumberFromRef(ref: string): number | undefined {
  const match = /^refs\/pull\/(\d+)\//.exec(ref);
  return match ? Number(match[1]) : undefined;
}

/** URL of the workflow run, for labels and audit logs. */
export function runUrl(ctx: GitContext): string {
  return ctx.repository && ctx.runId ? `${ctx.serverUrl}/${ctx.repository}/actions/runs/${ctx.runId}` : '';
}
