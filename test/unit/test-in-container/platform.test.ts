import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkRunnable,
  describeTested,
  localEngine,
  pickPlatforms,
  platformMatches,
  platformOf,
  readBinfmt,
  whyNotRunnable,
} from '../../../src/test-in-container/platform';
import { platformResult, platformSlug, testError } from '../../../src/test-in-container/operation';
import { imagePlatform } from '../../../src/docker/images';
import { tempDir } from '../../helpers/temp';

const arm64 = { enabled: new Set(['qemu-aarch64']) };
const none = { enabled: new Set<string>() };
const index = [
  { platform: 'linux/amd64', image: 'r/app@sha256:a', digest: 'sha256:a' },
  { platform: 'linux/arm64/v8', image: 'r/app@sha256:b', digest: 'sha256:b' },
];

describe('the tested platforms', () => {
  it('reads the platform docker image inspect prints, with or without a variant', () => {
    expect(platformOf('linux/amd64/\n')).toBe('linux/amd64');
    expect(platformOf('linux/arm/v7\n')).toBe('linux/arm/v7');
    expect(imagePlatform({ docker: 'docker' }, 'app:1').argv).toEqual([
      'docker', 'image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}{{if .Variant}}/{{.Variant}}{{end}}', 'app:1',
    ]); // prettier-ignore
  });

  it('matches a platform with or without its variant, never another variant', () => {
    expect(platformMatches('linux/arm64/v8', 'linux/arm64')).toBe(true);
    expect(platformMatches('linux/arm64', 'linux/arm64/v8')).toBe(true);
    expect(platformMatches('linux/arm/v7', 'linux/arm/v6')).toBe(false);
    expect(platformMatches('linux/amd64', 'linux/arm64')).toBe(false);
  });

  it('tests every platform of an index unless platforms narrows it, and names a platform the image lacks', () => {
    expect(pickPlatforms(index, [], 'app:1').map((t) => t.platform)).toEqual([
      'linux/amd64',
      'linux/arm64/v8',
    ]);
    expect(pickPlatforms(index, ['linux/arm64'], 'app:1')).toEqual([index[1]]);
    expect(() => pickPlatforms(index, ['linux/s390x'], 'app:1')).toThrow(
      'input "platforms": app:1 has no linux/s390x image (it has linux/amd64, linux/arm64/v8)',
    );
  });

  it('runs the own platform and its native companions; others only with a binfmt_misc entry', () => {
    expect(whyNotRunnable('linux/amd64', 'linux/amd64', undefined)).toBeUndefined();
    expect(whyNotRunnable('linux/386', 'linux/amd64', undefined)).toBeUndefined();
    expect(whyNotRunnable('linux/arm/v7', 'linux/arm64', none)).toBeUndefined();
    expect(whyNotRunnable('linux/arm64/v8', 'linux/amd64', arm64)).toBeUndefined();
    expect(
      whyNotRunnable('linux/sparc64', 'linux/amd64', { enabled: new Set(['qemu-sparc64']) }),
    ).toBeUndefined();
    expect(whyNotRunnable('linux/arm64', 'linux/amd64', none)).toBe(
      'no emulation is registered for it (binfmt_misc has no enabled qemu-aarch64)',
    );
    expect(whyNotRunnable('linux/arm64', 'linux/amd64', undefined)).toBe(
      'no emulation is registered for it (binfmt_misc is not mounted)',
    );
    expect(whyNotRunnable('windows/amd64', 'linux/amd64', arm64)).toBe(
      'windows/amd64 images do not run on a linux/amd64 engine',
    );
  });

  it('refuses an unrunnable platform before running, naming it and how to enable emulation', () => {
    expect(() => checkRunnable(index, 'linux/amd64', arm64, false)).not.toThrow();
    let message = '';
    try {
      checkRunnable(index, 'linux/amd64', none, false);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('input "platforms": linux/arm64/v8 cannot run on this runner (linux/amd64)');
    expect(message).toContain('docker/setup-qemu-action');
    expect(message).toContain('qemu-user-static binfmt-support');
    expect(message).toContain('or set platforms to only the platforms this runner runs (linux/amd64)');
    expect(() =>
      checkRunnable(
        [{ platform: 'windows/amd64', image: 'x' }, index[0] as (typeof index)[number]],
        'linux/amd64',
        arm64,
        true,
      ),
    ).toThrow(
      'input "platforms": windows/amd64 cannot run on this runner (linux/amd64): windows/amd64: windows/amd64 images do not run on a linux/amd64 engine. Nothing was run: list only the platforms this runner runs (linux/amd64).',
    );
  });

  it('reads the enabled entries of binfmt_misc, and says when it is not mounted', () => {
    const dir = tempDir('binfmt');
    expect(readBinfmt(dir)).toBeUndefined();
    writeFileSync(join(dir, 'status'), 'enabled\n');
    writeFileSync(join(dir, 'register'), '');
    writeFileSync(
      join(dir, 'qemu-aarch64'),
      'enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\n',
    );
    writeFileSync(join(dir, 'qemu-arm'), 'disabled\ninterpreter /usr/bin/qemu-arm-static\nflags: F\n');
    mkdirSync(join(dir, 'odd'));
    expect([...(readBinfmt(dir)?.enabled ?? [])]).toEqual(['qemu-aarch64']);
  });

  it('checks binfmt_misc only for an engine on this machine', () => {
    expect(localEngine({})).toBe(true);
    expect(localEngine({ DOCKER_HOST: 'unix:///var/run/docker.sock' })).toBe(true);
    expect(localEngine({ DOCKER_HOST: 'tcp://127.0.10.3:2375' })).toBe(false);
  });

  it('says which platforms are tested, which are emulated, and where the images come from', () => {
    expect(
      describeTested('app:1', {
        targets: [{ platform: 'linux/amd64', image: 'app:1' }],
        runner: 'linux/amd64',
        source: 'registry',
      }),
    ).toBe("Testing app:1 for linux/amd64 (this runner's platform), pulled from its registry");
    expect(
      describeTested('app:1', {
        targets: [{ platform: 'linux/arm64', image: 'app:1' }],
        runner: 'linux/amd64',
        source: 'engine',
      }),
    ).toBe('Testing app:1 for linux/arm64 (emulated) (this runner is linux/amd64)');
    expect(
      describeTested('r/app:1', {
        targets: index,
        runner: 'linux/amd64',
        source: 'index',
        index: 'sha256:i',
      }),
    ).toBe(
      "Testing r/app:1 for linux/amd64 (this runner's platform), linux/arm64/v8 (emulated), each platform's image pulled by digest from the index sha256:i",
    );
  });
});

describe('per-platform results', () => {
  const outcome = (exitCode: number, failed = 0) => ({
    exitCode,
    timedOut: false,
    durationMs: 1234.4,
    report: '/tmp/r',
    junit: { tests: 2, passed: 2 - failed, failed, skipped: 0, failures: [], passedNames: [] },
    services: [],
  });

  it('lists each platform with its digest, exit code, counts and report', () => {
    expect(platformResult(index[1] as (typeof index)[number], outcome(1, 1))).toEqual({
      platform: 'linux/arm64/v8',
      image: 'r/app@sha256:b',
      digest: 'sha256:b',
      'exit-code': 1,
      'timed-out': false,
      passed: 1,
      failed: 1,
      skipped: 0,
      report: '/tmp/r',
      'duration-ms': 1234,
    });
  });

  it('fails naming the platforms that failed; one platform reads as it always did', () => {
    const amd = platformResult(index[0] as (typeof index)[number], outcome(0));
    const arm = platformResult(index[1] as (typeof index)[number], outcome(1, 1));
    expect(testError([amd], 60_000)).toBeUndefined();
    expect(testError([arm], 60_000)).toBe(
      'the tests failed with exit code 1 (1 passed, 1 failed, 0 skipped)',
    );
    expect(testError([amd, arm], 60_000)).toBe(
      'on linux/arm64/v8: the tests failed with exit code 1 (1 passed, 1 failed, 0 skipped) (passed on linux/amd64)',
    );
    expect(platformSlug('linux/arm64/v8')).toBe('linux-arm64-v8');
  });
});
