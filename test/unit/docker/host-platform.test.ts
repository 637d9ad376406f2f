/** A host's platform from its engine's docker info, the image of an index it runs, and what a deploy verifies for its hosts. */
import { describe, expect, it } from 'vitest';
import { engineInfo, enginePlatform, variantFor } from '../../../src/docker/host-platform';
import { hostVariants } from '../../../src/deploy-core/verify';
import { verifiedCell } from '../../../src/remote-deploy-ssh/operation';
import { refusal, type Verification } from '../../../src/supply-chain/verify';

const index = [
  { digest: 'sha256:amd', platform: 'linux/amd64' },
  { digest: 'sha256:arm', platform: 'linux/arm64/v8' },
  { digest: 'sha256:v7', platform: 'linux/arm/v7' },
];

describe("a host's platform", () => {
  it("maps docker info's OSType/Architecture (uname -m) to the platform an index names", () => {
    expect(enginePlatform('linux', 'x86_64')).toBe('linux/amd64');
    expect(enginePlatform('linux', 'aarch64')).toBe('linux/arm64');
    expect(enginePlatform('linux', 'armv7l')).toBe('linux/arm/v7');
    expect(enginePlatform('linux', 'armv6l')).toBe('linux/arm/v6');
    expect(enginePlatform('linux', 'i686')).toBe('linux/386');
    expect(enginePlatform('linux', 's390x\n')).toBe('linux/s390x');
    expect(enginePlatform('windows', 'x86_64')).toBe('windows/amd64');
    expect(engineInfo({ docker: 'docker' }).argv).toEqual([
      'docker',
      'info',
      '--format',
      '{{.OSType}}/{{.Architecture}}',
    ]);
  });

  it('picks the image its engine resolves: its own platform (arm64 is arm64/v8), else a compatible one', () => {
    expect(variantFor(index, 'linux/amd64')?.digest).toBe('sha256:amd');
    expect(variantFor(index, 'linux/arm64')?.digest).toBe('sha256:arm');
    expect(variantFor(index, 'linux/arm/v7')?.digest).toBe('sha256:v7');
    expect(variantFor(index, 'linux/arm/v6')).toBeUndefined();
    expect(variantFor([{ digest: 'sha256:v7', platform: 'linux/arm/v7' }], 'linux/arm64')?.digest).toBe(
      'sha256:v7',
    );
    expect(variantFor([{ digest: 'sha256:x', platform: 'linux/386' }], 'linux/amd64')?.digest).toBe(
      'sha256:x',
    );
    expect(variantFor(index, 'linux/s390x')).toBeUndefined();
  });
});

describe('what a deploy verifies for its hosts', () => {
  it('each image some host runs (with its hosts), the host platforms the index lacks, and the images no host runs', () => {
    const plan = hostVariants(index.slice(0, 2), [
      { host: 'deploy@a:22', platform: 'linux/amd64' },
      { host: 'deploy@b:22', platform: 'linux/amd64' },
      { host: 'deploy@c:22', platform: 'linux/s390x' },
    ]);
    expect(plan.run).toEqual([
      { digest: 'sha256:amd', platform: 'linux/amd64', hosts: ['deploy@a:22', 'deploy@b:22'] },
    ]);
    expect(plan.missing).toEqual([{ platform: 'linux/s390x', hosts: ['deploy@c:22'] }]);
    expect(plan.unused).toEqual([{ digest: 'sha256:arm', platform: 'linux/arm64/v8' }]);
  });

  it('names the platform, the digest and the hosts when it refuses, and shows per host what it verified', () => {
    const v: Verification = {
      image: 'r/app',
      digest: 'sha256:amd',
      ok: false,
      signatures: [],
      attestations: [],
      problems: ['no passing test-result attestation'],
      ignored: [],
      platform: 'linux/amd64',
      hosts: ['deploy@a:22'],
    };
    expect(refusal(v)).toBe(
      'r/app@sha256:amd (the linux/amd64 image, run by deploy@a:22) is not verified: no passing test-result attestation',
    );
    const index: Verification = {
      ...v,
      digest: 'sha256:index',
      ok: true,
      problems: [],
      platform: undefined,
      hosts: undefined,
    };
    const tested = { ...v, ok: true, tests: { result: 'PASSED', passed: 2, failed: 0 } };
    expect(verifiedCell('r/app@sha256:index', { verified: [index, tested] }, 'deploy@a:22')).toBe(
      'yes (linux/amd64 image sha256:amd); tests PASSED (2 passed, 0 failed)',
    );
    expect(verifiedCell('r/app@sha256:index', { verified: [index, tested] }, 'deploy@z:22')).toBe('yes');
  });
});
