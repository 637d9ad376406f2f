/**
 * Which platform of the image the tests run: the image in the engine's store, else pulled, which
 * makes the engine pick its own platform from an index (a multi-platform build is tested on the
 * runner's platform).
 */
import { runChecked, type Runner } from '../command/command';
import * as images from '../docker/images';
import type { DockerTarget } from '../docker/target';

export interface TestedPlatform {
  /** os/arch[/variant] of the image the tests run in. */
  readonly platform: string;
  /** The engine's own platform (the runner's). */
  readonly runner: string;
  /** Whether the image was pulled for the test (it was not in the engine's store). */
  readonly pulled: boolean;
}

/** `docker image inspect`'s Os/Architecture/Variant line as a platform. */
export function platformOf(text: string): string {
  return text.trim().replace(/\/$/, '');
}

export async function testedPlatform(
  runner: Runner,
  target: DockerTarget,
  image: string,
): Promise<TestedPlatform> {
  const runnerPlatform = (await runChecked(runner, images.serverPlatform(target))).stdout.trim();
  let inspected = await runner.run(images.imagePlatform(target, image));
  let pulled = false;
  if (inspected.exitCode !== 0) {
    await runChecked(runner, images.pull(target, image));
    pulled = true;
    inspected = await runChecked(runner, images.imagePlatform(target, image));
  }
  return { platform: platformOf(inspected.stdout), runner: runnerPlatform, pulled };
}

/** One line saying which platform is tested and why. */
export function describeTested(image: string, tested: TestedPlatform): string {
  const own = tested.platform.split('/').slice(0, 2).join('/') === tested.runner;
  return `Testing ${image} for ${tested.platform}${own ? " (this runner's platform)" : ` (this runner is ${tested.runner})`}${tested.pulled ? ', pulled from its registry' : ''}`;
}
