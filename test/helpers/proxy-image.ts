/**
 * Another proxy image for upgrade tests: the lab's Caddy with one more label (`crane mutate`, no
 * build), pushed to the staging registry under a name of the test's own: another digest, the same
 * Caddy.
 */
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import type { LabHost, LabInfo } from '../lab/lab';
import { onHost } from './lab-host';

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

/** After an upgrade: the generations on `host` ("name state" lines) and what `name` runs. */
export async function proxyGenerationsOn(
  lab: LabInfo,
  host: LabHost,
  name: string,
): Promise<{ generations: string; image: string }> {
  const generations = await onHost(
    lab,
    host,
    'docker',
    'ps',
    '-a',
    '--filter',
    'label=dev.slipway.role=shared-proxy-generation',
    '--format',
    '{{.Names}} {{.State}}',
  );
  const image = await onHost(lab, host, 'docker', 'inspect', '--format', '{{.Config.Image}}', name);
  return { generations, image };
}
