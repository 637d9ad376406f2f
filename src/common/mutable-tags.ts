/**
 * Mutable tags: the tags a user lets move to another digest (`latest`, `main`, `1.2` …). Every
 * other tag, once it points somewhere, stays: a version tag names one image for good. Shared by the
 * actions that set tags (`mutable-tags` input, default `latest`).
 */

export const DEFAULT_MUTABLE_TAGS: readonly string[] = ['latest'];

/** A pattern: a tag, or a tag with `*` standing for any run of tag characters (`main-*`). */
const PATTERN = /^[A-Za-z0-9_*][A-Za-z0-9_.*-]{0,127}$/;

export function isValidMutableTagPattern(pattern: string): boolean {
  return PATTERN.test(pattern);
}

/** True when `tag` matches one of `patterns` (exactly, `*` matching any run of characters). */
export function isMutableTag(tag: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const regex = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
        .join('.*')}$`,
    );
    return regex.test(tag);
  });
}
