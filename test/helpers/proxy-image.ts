/**
 * Another proxy image for upgrade tests: the lab's Caddy with one more label (`crane mutate`, no
 * build), pushed to the staging registry under a name of the test's own: another digest, the same
 * Caddy.
 */
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import type { LabInfo } from '../lab/lab';

export async function proxyImageVariant(
  lab: LabInfo,
  crane: string,
  repository: string,
  tag: string,
): Promise<{ ref: string; digest: string }> {
  const ref = `${lab.registries.staging.host}/${repository}:${tag}`;
  const out = await runChecked(new LocalRunner(), {
    argv: [
      crane,
      'mutate',
      '--insecure',
      '--label',
      `dev.slipway.test.variant=${tag}`,
      '--tag',
      ref,
      lab.images.proxy,
    ],
  });
  const digest = out.stdout.trim().split('@').pop() as string;
  return { ref, digest };
}
