import { describe, expect, it } from 'vitest';
import { describeTested, platformOf } from '../../../src/test-in-container/platform';
import { imagePlatform } from '../../../src/docker/images';

describe('the tested platform', () => {
  it('reads the platform docker image inspect prints, with or without a variant', () => {
    expect(platformOf('linux/amd64/\n')).toBe('linux/amd64');
    expect(platformOf('linux/arm/v7\n')).toBe('linux/arm/v7');
    expect(imagePlatform({ docker: 'docker' }, 'app:1').argv).toEqual([
      'docker', 'image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}{{if .Variant}}/{{.Variant}}{{end}}', 'app:1',
    ]); // prettier-ignore
  });

  it("says whether the tested platform is the runner's and whether it was pulled", () => {
    expect(describeTested('app:1', { platform: 'linux/amd64', runner: 'linux/amd64', pulled: true })).toBe(
      "Testing app:1 for linux/amd64 (this runner's platform), pulled from its registry",
    );
    expect(describeTested('app:1', { platform: 'linux/arm64', runner: 'linux/amd64', pulled: false })).toBe(
      'Testing app:1 for linux/arm64 (this runner is linux/amd64)',
    );
  });
});
