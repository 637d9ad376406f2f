#!/usr/bin/env node
// Makes a release whose pins pin: a caller of a reusable workflow at the release commit (or at a
// tag on it) runs the actions — and the nested reusable workflows — of that release, whatever v1
// points to later. `uses:` takes no expressions and a commit cannot name itself, so on a clean
// checkout of the commit P to release this makes two commits on top of it:
//
//   R1  every `slipway-dev/slipway[/actions/…]@v1` of .github/workflows names P (the actions);
//   R2  every `slipway-dev/slipway/.github/workflows/…@v1` names R1 (their workflows already name P).
//
// Both change only .github/workflows, so the actions, action.yml and dist/ of R2 are P's, byte for
// byte: tag R2 vX.Y.Z and move v1 to it. The reusable workflows nest one level (pipeline, rollback
// and rebuild call build-test-push, deploy, promote, which call only actions); a deeper nesting is
// refused. GitHub's self-repository syntax (uses: $/actions/…, runner 2.336.0 and newer) would do
// the same in one commit; act 0.2.89 and actionlint 1.7.12 refuse it, so the release pins by SHA,
// which also satisfies organisations requiring full-SHA pins.
//
//   node scripts/pin-release.mjs          (prints the commit to tag)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKFLOWS = join('.github', 'workflows');
// A `uses:` line (comments, such as the usage examples at the top of each workflow, keep @v1).
const USES = /^(\s*(?:-\s+)?uses:\s*["']?slipway-dev\/slipway)((?:\/[^@\s"']*)?)@v1\b/gm;

/**
 * The workflow text with its `@v1` references pinned: references to actions (the root action and
 * actions/…) when `what` is 'actions', references to reusable workflows when it is 'workflows'.
 */
export function pin(text, what, sha) {
  if (!/^[0-9a-f]{40}$/.test(sha)) throw new Error(`${sha} is not a full commit SHA`);
  return text.replace(USES, (all, head, path) => {
    const workflow = path.startsWith('/.github/workflows/');
    return workflow === (what === 'workflows') ? `${head}${path}@${sha}` : all;
  });
}

/** The `@v1` references left in a workflow text. */
export function unpinned(text) {
  return [...text.matchAll(USES)].map((m) => `slipway-dev/slipway${m[2]}@v1`);
}

function git(root, ...args) {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
}

function rewrite(root, what, sha) {
  for (const file of readdirSync(join(root, WORKFLOWS)).filter((f) => /\.ya?ml$/.test(f))) {
    const path = join(root, WORKFLOWS, file);
    const text = readFileSync(path, 'utf8');
    const pinned = pin(text, what, sha);
    if (pinned !== text) writeFileSync(path, pinned);
  }
}

/** Makes R1 and R2 on top of HEAD (P); returns { actions: P, workflows: R1, release: R2 }. */
export function pinRelease(root = '.') {
  if (git(root, 'status', '--porcelain', '--untracked-files=no') !== '')
    throw new Error('the work tree has uncommitted changes: commit or stash them first');
  const commit = (message) =>
    git(
      root,
      '-c',
      'user.name=slipway release',
      '-c',
      'user.email=release@slipway.invalid',
      'commit',
      '-qam',
      message,
    );
  const actions = git(root, 'rev-parse', 'HEAD');
  rewrite(root, 'actions', actions);
  commit(`Release: the workflows run the actions of ${actions}`);
  const workflows = git(root, 'rev-parse', 'HEAD');
  rewrite(root, 'workflows', workflows);
  commit(`Release: the workflows call the workflows of ${workflows}`);
  const release = git(root, 'rev-parse', 'HEAD');
  const left = readdirSync(join(root, WORKFLOWS)).flatMap((f) =>
    unpinned(readFileSync(join(root, WORKFLOWS, f), 'utf8')).map((u) => `${f}: ${u}`),
  );
  if (left.length > 0)
    throw new Error(`still unpinned (nesting deeper than one level?):\n${left.join('\n')}`);
  const changed = git(root, 'diff', '--name-only', actions, release).split('\n').filter(Boolean);
  const outside = changed.filter((f) => !f.startsWith(`${WORKFLOWS}/`));
  if (outside.length > 0)
    throw new Error(`the release changed more than the workflows: ${outside.join(' ')}`);
  return { actions, workflows, release };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { actions, workflows, release } = pinRelease('.');
  console.log(
    `actions ${actions}\nworkflows ${workflows}\nrelease ${release} (tag it vX.Y.Z, move v1 to it)`,
  );
}
