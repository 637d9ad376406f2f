/**
 * Another proxy image for upgrade tests: the lab's Caddy with one more label (`crane mutate`, no
 * build) and, like the official caddy:2 image, `VOLUME /config` (`regctl image mod`: each container
 * gets an anonymous volume there, which an upgrade must not leave behind), pushed to the staging
 * registry under a name of the test's own: another digest, the same Caddy.
 */
import { join } from 'node:path';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import type { LabHost, LabInfo } from '../lab/lab';
import { onHost } from './lab-host';
import { tempDir } from './temp';

export async function proxyImageVariant(
  lab: LabInfo,
  tools: { readonly crane?: string; readonly regctl?: string },
  repository: string,
  tag: string,
): Promise<{ ref: string; digest: string }> {
  const local = new LocalRunner();
  const ref = `${lab.registries.staging.host}/${repository}:${tag}`;
  await runChecked(local, {
    argv: [
      tools.crane as string,
      'mutate',
      '--insecure',
      '--label',
      `dev.slipway.test.variant=${tag}`,
      '--tag',
      ref,
      lab.images.proxy,
    ],
  });
  const env = { REGCTL_CONFIG: join(tempDir('proxy-variant-regctl'), 'regctl.json') };
  const regctl = (...args: string[]) => runChecked(local, { argv: [tools.regctl as string, ...args], env });
  await regctl('registry', 'set', '--tls', 'disabled', lab.registries.staging.host);
  await regctl('image', 'mod', ref, '--volume-add', '/config', '--replace');
  const digest = (await regctl('image', 'digest', ref)).stdout.trim();
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
