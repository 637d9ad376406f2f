/** A GitContext for unit tests: a push to main of acme/shop, overridable field by field. */
import type { GitContext } from '../../src/github/context';

export function gitContext(over: Partial<GitContext> = {}): GitContext {
  return {
    eventName: 'push',
    ref: 'refs/heads/main',
    sha: '0123456789abcdef0123456789abcdef01234567',
    runNumber: 97,
    runId: '555',
    runAttempt: '1',
    repository: 'acme/shop',
    serverUrl: 'https://github.com',
    defaultBranch: 'main',
    workspace: '/w',
    actor: 'dev',
    now: new Date('2015-01-27T23:59:59Z'),
    ...over,
  };
}
