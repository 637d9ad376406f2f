/**
 * The GitHub context the actions need, read from the runner's environment and event payload
 * (a plain object, so tag rules and labels are pure functions of it).
 */
import { existsSync, readFileSync } from 'node:fs';

export interface GitContext {
  readonly eventName: string;
  /** refs/heads/main, refs/tags/v1.2.3, refs/pull/7/merge */
  readonly ref: string;
  /** The commit that was built: GITHUB_SHA (a pull request's merge commit; the base branch's on pull_request_target). */
  readonly sha: string;
  /** A pull request's head commit (an opt-in tag: {head_sha7}); the commit's own sha otherwise. */
  readonly headSha?: string;
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
  /** The repository's description and SPDX licence, when the event payload names them. */
  readonly description?: string;
  readonly license?: string;
  /** Off CI: a hash of the work tree's uncommitted changes, when it has any (SLIPWAY_LOCAL_CHANGES). */
  readonly localChanges?: string;
}

interface EventPayload {
  repository?: {
    default_branch?: string;
    description?: string | null;
    license?: { spdx_id?: string } | null;
  };
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
  // What actions/checkout checks out, and so what is built: GITHUB_SHA (on pull_request the merge
  // commit, not the head). The head is kept apart, for a tag that asks for it.
  const sha = env.GITHUB_SHA ?? '';
  const headSha = payload.pull_request?.head?.sha;
  const license = payload.repository?.license?.spdx_id;
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    sha,
    ...(headSha && { headSha }),
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
    ...(payload.repository?.description && { description: payload.repository.description }),
    ...(license && license !== 'NOASSERTION' && { license }),
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
