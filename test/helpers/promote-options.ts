import type { PromoteOptions } from '../../src/promote-between-registries/copy';

/** The action's defaults as library options: what a promotion with no optional inputs does. */
export const PROMOTE_DEFAULTS: PromoteOptions = {
  allowOverwrite: false,
  mutableTags: ['latest'],
  allPlatforms: true,
  platform: 'linux/amd64',
  concurrency: 4,
  dryRun: false,
  referrers: true,
};
