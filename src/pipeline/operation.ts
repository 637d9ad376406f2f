/**
 * The root action: build-and-tag → test-in-container → push-registry in one process, each step fed
 * the previous one's results. The same operations as the three actions, so the behaviour is theirs.
 */
import { planBuild, readBuildRequest } from '../build-and-tag/plan';
import { readGitContext } from '../github/context';
import { InputError, type Inputs } from '../common/inputs';
import { readPushRequest } from '../push-registry/push';
import { readTestRequest } from '../test-in-container/run-tests';
import { runBuild } from '../build-and-tag/operation';
import { runPush } from '../push-registry/operation';
import type { Outcome, Reporter } from '../common/reporter';
import { type PlatformResult, runTestOn } from '../test-in-container/operation';
import { checkRunnable, localEngine, type PlatformTarget, readBinfmt } from '../test-in-container/platform';
import type { BuildOutcome } from '../build-and-tag/operation';
import { LocalRunner } from '../command/local-runner';
import { parseReference } from '../common/reference';
import { clientFor } from '../registry/resolve';
import { isIndex, parseManifest, platformImages } from '../registry/image-tree';
import { serverPlatform } from '../docker/images';
import { dockerBinary } from '../docker/target';
import { runChecked } from '../command/command';
import { readSignatureFormat, readSigningKey, readTestReportInputs } from '../supply-chain/inputs';
import { maskSigningInputs, signedSummary, signPlatforms, signPushed } from '../supply-chain/operation';

export async function runPipeline(inputs: Inputs, report: Reporter): Promise<Outcome> {
  // Every input is checked before the build starts: a typo in a push input must not cost a build.
  const push = inputs.boolean('push', true);
  maskSigningInputs(inputs, report);
  if (push) {
    readSigningKey(inputs);
    readSignatureFormat(inputs);
  }
  // push-by-digest: this job's platform, pushed by digest (no tag) for merge-by-digest to assemble.
  const byDigest = inputs.boolean('push-by-digest', false);
  if (byDigest && !push)
    throw new InputError(
      'push-by-digest',
      'needs push: true (it says how the image is pushed: by digest, no tag)',
    );
  // `push` here is the pipeline's (after the tests), never build-and-tag's push from the builder.
  const buildInputs = inputs.with({ push: 'false', 'push-by-digest': 'false' });
  const git = readGitContext();
  const request = readBuildRequest(buildInputs);
  const planned = planBuild(request, git).references.join('\n');
  if (inputs.string('run')) readTestRequest(inputs.with({ image: planned.split('\n')[0] as string }));
  // Several platforms form an index the engine's classic store cannot hold: after the tests the
  // same build is pushed from the builder (all cache hits), with the runner's registry login; so is
  // an image pushed by digest.
  const multi = (request.buildx?.platforms.length ?? 0) > 1;
  const fromBuilder = multi || byDigest;
  if (push && fromBuilder && inputs.string('username'))
    throw new InputError(
      'username',
      `${multi ? 'a multi-platform image' : 'an image pushed by digest'} is pushed from the buildx builder with the docker login of the job: log in first (docker/login-action) instead of passing username and password`,
    );
  if (push && !fromBuilder) readPushRequest(inputs.with({ tags: planned }));
  // Every platform built is tested before anything is pushed: an unpushed multi-platform build
  // loads each platform from the builder's cache (the runner's tagged, the others by image id).
  const testing = Boolean(inputs.string('run'));
  // A platform this runner cannot run (no emulation) is refused before the build, not after it.
  const platforms = request.buildx?.platforms ?? [];
  if (testing && platforms.length > 0 && localEngine()) {
    const runner = await runChecked(new LocalRunner(), serverPlatform({ docker: dockerBinary() }));
    const targets = platforms.map((platform) => ({ platform, image: planned }));
    checkRunnable(targets, runner.stdout.trim(), readBinfmt(), true);
  }
  const built = await runBuild(buildInputs, report, git, undefined, testing && multi);
  const outputs: Record<string, string> = { ...built.outputs };
  const summary = [...built.summary];
  // Pushed by digest: tested by image id (another job on the same engine may load the same tag).
  const image = (byDigest && built.imageId) || (built.references[0] ?? built.imageId);
  const others = (built.platformImages ?? []).filter((p) => p.imageId !== built.imageId);
  let testedResults: readonly PlatformResult[] = [];
  if (testing) {
    const targets = multi ? testTargets(built, image, request.buildx?.platforms ?? []) : undefined;
    const tested = await report
      .group(`Testing ${image}`, () => runTestOn(inputs.with({ image }), report, targets))
      .finally(() => removeImages(others.map((p) => p.imageId)));
    Object.assign(outputs, tested.outputs);
    summary.push(...tested.summary);
    if (tested.error) return { outputs, summary, error: tested.error };
    testedResults = JSON.parse(tested.outputs.results ?? '[]') as PlatformResult[];
  } else {
    report.info('No run input: the tests are skipped');
  }
  if (!push) {
    report.info('push: false — built and tested, not pushed');
    return { outputs, summary };
  }
  // With sign-key, the tests just run are attested: their report, exit code and command.
  const tested: Record<string, string> = inputs.string('run')
    ? {
        'test-report': outputs.report ?? '',
        'test-exit-code': outputs['exit-code'] ?? '',
        'test-command': inputs.string('run'),
      }
    : {};
  if (fromBuilder) {
    const pushedBuild = await report.group(
      byDigest ? 'Pushing by digest from the builder' : 'Pushing every platform from the builder',
      // The tested build again, from its cache: no-cache or pull here would build (and push) an
      // image nobody tested (a new base, a new RUN's output).
      () => runBuild(inputs.with({ push: 'true', 'no-cache': 'false', pull: 'false' }), report, git),
    );
    outputs.digest = pushedBuild.outputs.digest ?? '';
    const refs = [...new Set(built.references.map((r) => `${r.replace(/:[^:/]+$/, '')}@${outputs.digest}`))];
    outputs.refs = refs.join('\n');
    if (byDigest && testing && built.imageId) await pushedIsTested(refs[0] as string, built.imageId, report);
    summary.push(...pushedBuild.summary);
    // The index pushed from the builder is signed like a pushed image: with the username and
    // password given, else with the job's docker login (its config.json), as the builder pushed.
    const signKey = readSigningKey(inputs);
    if (signKey) {
      const withTests = inputs.with(tested);
      const username = inputs.string('username');
      const password = inputs.string('password');
      const signed = await signPushed(
        signKey,
        refs,
        readTestReportInputs(withTests),
        () => (username && password ? { username, password } : undefined),
        report,
        readSignatureFormat(inputs),
      );
      Object.assign(outputs, signed.outputs);
      summary.push(...signed.summary);
      // Each platform manifest: its own signature and the test result of its own run.
      const perPlatform = await report.group('Attesting each platform', () =>
        signPlatforms(
          signKey,
          refs,
          testedResults.map((r) => ({
            platform: r.platform,
            tests: {
              ...(r.report && { report: r.report }),
              exitCode: r['exit-code'],
              command: inputs.string('run'),
            },
          })),
          () => (username && password ? { username, password } : undefined),
          report,
          readSignatureFormat(inputs),
        ),
      );
      if (perPlatform.length > 0)
        summary.push(...signedSummary(perPlatform, signKey, 'Signed and attested per platform').slice(0, 2));
    }
    return { outputs, summary };
  }
  const pushed = await runPush(inputs.with({ tags: built.references.join('\n'), ...tested }), report);
  Object.assign(outputs, pushed.outputs);
  summary.push(...pushed.summary);
  return { outputs, summary };
}

/**
 * An image pushed by digest is the one tested: the pushed manifest (or its index's one image) has
 * the tested image's id as its config digest (the classic image store) or as its own digest (the
 * containerd image store). Throws naming both otherwise: the builder rebuilt something else.
 */
async function pushedIsTested(ref: string, imageId: string, report: Reporter): Promise<void> {
  const parsed = parseReference(ref);
  const client = clientFor(parsed.registry);
  const pushed = await client.getManifest(parsed.repository, parsed.digest as string);
  const manifests = isIndex(pushed)
    ? await Promise.all(platformImages(pushed).map((p) => client.getManifest(parsed.repository, p.digest)))
    : [pushed];
  const ids = [
    pushed.digest,
    ...manifests.flatMap((m) => [m.digest, parseManifest(m.bytes).config?.digest ?? '']),
  ];
  if (!ids.includes(imageId))
    throw new Error(
      `${ref} is not the image tested (${imageId}): its manifest and config are ${ids.filter(Boolean).join(', ')}`,
    );
  report.info(`${ref} is the image tested (${imageId})`);
}

/**
 * What the tests run on for a multi-platform build: each platform loaded from the builder (the
 * runner's under the build's tag, the others by image id); when the engine holds the whole index
 * (the containerd image store), each platform of the tag, picked with docker run --platform.
 */
export function testTargets(
  built: Pick<BuildOutcome, 'platformImages'>,
  image: string,
  platforms: readonly string[],
): PlatformTarget[] {
  if (built.platformImages && built.platformImages.length > 0)
    return built.platformImages.map((p) => ({ platform: p.platform, image: p.imageId }));
  return platforms.map((platform) => ({ platform, image, runPlatform: true }));
}

/** Removes the untagged per-platform images loaded for the tests (by id; what is in use stays). */
async function removeImages(ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await new LocalRunner().run({ argv: [dockerBinary(), 'image', 'rm', ...ids] });
}
