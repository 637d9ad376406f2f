import { describe, expect, it } from 'vitest';
import { testTargets } from '../../../src/pipeline/operation';

describe('what the root action tests of a multi-platform build', () => {
  it('each platform loaded from the builder, by its image id', () => {
    const built = {
      platformImages: [
        { platform: 'linux/amd64', imageId: 'sha256:a' },
        { platform: 'linux/arm64', imageId: 'sha256:b' },
      ],
    };
    expect(testTargets(built, 'r/app:1', ['linux/amd64', 'linux/arm64'])).toEqual([
      { platform: 'linux/amd64', image: 'sha256:a' },
      { platform: 'linux/arm64', image: 'sha256:b' },
    ]);
  });

  it('an engine holding the whole index: each platform of the tag, run with --platform', () => {
    expect(testTargets({}, 'r/app:1', ['linux/amd64', 'linux/arm64'])).toEqual([
      { platform: 'linux/amd64', image: 'r/app:1', runPlatform: true },
      { platform: 'linux/arm64', image: 'r/app:1', runPlatform: true },
    ]);
  });
});
