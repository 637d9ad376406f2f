export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly string[];
}
export function parseVersion(text: string): Version | null;
export function compareVersions(a: string | Version, b: string | Version): number;
export function changelogSection(changelog: string, version: string): string;
export interface MajorTagDecision {
  readonly action: 'create' | 'move' | 'keep' | 'refuse';
  readonly reason: string;
}
export function majorTagDecision(input: {
  release: string;
  releaseCommit: string;
  current: { commit: string; versions: readonly string[] } | null;
}): MajorTagDecision;
export interface ReleasePlan {
  readonly tag: string;
  readonly version: string;
  readonly major: string;
  readonly prerelease: boolean;
  readonly releaseCommit: string;
  readonly notes: string;
  readonly decision: MajorTagDecision;
}
export function plan(tag: string, root?: string): ReleasePlan;
