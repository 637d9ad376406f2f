/**
 * What build-and-tag will do, decided before anything runs: validated inputs, the tags of every
 * repository, and the OCI labels. Pure: unit-tested from a GitContext.
 */
import { statSync } from 'node:fs';
import { runUrl, type GitContext } from '../github/context';
import { InputError, type Inputs } from '../common/inputs';
import { formatReference, type ImageReference, parseReference, withTag } from '../common/reference';
import {
  type CacheEntry,
  formatCacheEntry,
  parseAnnotation,
  parseCacheEntry,
  parsePlatforms,
} from './buildx';
import {
  defaultTagPlan,
  expandTemplate,
  isImmutableSource,
  isValidVersionPrefix,
  type PlannedTag,
  releaseOf,
  formatSemver,
  uniqueTags,
  versionTag,
  VERSION_LABEL,
} from './tags';

export interface BuildRequest {
  readonly repositories: readonly ImageReference[];
  readonly context: string;
  readonly file?: string;
  readonly target?: string;
  readonly buildArgs: ReadonlyArray<readonly [string, string]>;
  readonly labels: ReadonlyArray<readonly [string, string]>;
  readonly secrets: ReadonlyArray<readonly [string, string]>;
  /** Cache sources: bare image references (the classic path) or buildx entries. */
  readonly cacheFrom: readonly string[];
  /** The buildx options; undefined for a plain build, which keeps the classic `docker build`. */
  readonly buildx?: BuildxRequest;
  readonly tagTemplates: readonly string[];
  /** Put before the date of the version (two workflows of one repository count runs apart). */
  readonly versionPrefix: string;
  readonly pull: boolean;
  readonly noCache: boolean;
}

/** What only a buildx build does: every field from an input of the same name. */
export interface BuildxRequest {
  readonly builder?: string;
  readonly platforms: readonly string[];
  readonly cacheFrom: readonly CacheEntry[];
  readonly cacheTo: readonly CacheEntry[];
  /** Push from the builder (the pushed index or manifest digest is an output). */
  readonly push: boolean;
  /** With push: pushed by digest only, no tag set (a matrix job's platform, for merge-by-digest). */
  readonly pushByDigest?: boolean;
  readonly provenance?: string;
  readonly sbom?: string;
  readonly annotations: readonly string[];
}

export interface BuildPlan {
  readonly version: string;
  /** Tags (without repository), version first. */
  readonly tags: readonly string[];
  /** Every tag with where it came from. */
  readonly tagPlan: readonly PlannedTag[];
  /** The tags that name this build for good (the version, a release's X.Y.Z): never moved by a push. */
  readonly immutableTags: readonly string[];
  /** The commit's time (seconds since the epoch), given to the build as SOURCE_DATE_EPOCH; undefined when unknown. */
  readonly sourceDateEpoch?: number;
  /** Full references, every repository × every tag. */
  readonly references: readonly string[];
  readonly labels: ReadonlyArray<readonly [string, string]>;
}

const BUILDER = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ATTESTATION = /^[A-Za-z0-9=,._:/@-]+$/;
const SECRET_ID = /^[A-Za-z0-9_.-]+$/;
const STAGE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** The build context: the last (positional) argument of docker build, a directory that exists. */
function readContext(inputs: Inputs): string {
  const context = inputs.operand('context', '.');
  let directory = false;
  try {
    directory = statSync(context).isDirectory();
  } catch {
    // missing: said below
  }
  if (!directory)
    throw new InputError('context', `${JSON.stringify(context)} is not a directory (from ${process.cwd()})`);
  return context;
}

function readVersionPrefix(inputs: Inputs): string {
  const prefix = inputs.line('version-prefix');
  if (prefix && !isValidVersionPrefix(prefix))
    throw new InputError(
      'version-prefix',
      `${JSON.stringify(prefix)} is not a tag prefix (letters, digits, _ . -, starting with a letter or digit, at most 48)`,
    );
  return prefix;
}

export function readBuildRequest(inputs: Inputs): BuildRequest {
  const repositories = inputs.parsedList(
    'image',
    (v) => parseReference(v, { lowercase: true, repositoryOnly: true }),
    {
      required: true,
    },
  );
  const target = inputs.line('target');
  if (target && !STAGE.test(target))
    throw new InputError('target', `${JSON.stringify(target)} is not a stage name`);
  const secrets = inputs.list('secrets').map((line): [string, string] => {
    const eq = line.indexOf('=');
    const id = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!SECRET_ID.test(id))
      throw new InputError('secrets', 'each line must be id=VALUE with an id of letters, digits, . _ -');
    return [id, line.slice(eq + 1)];
  });
  const labels = inputs.list('labels').map((line): [string, string] => {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new InputError('labels', `each line must be KEY=VALUE, got ${JSON.stringify(line)}`);
    return [line.slice(0, eq).trim(), line.slice(eq + 1)];
  });
  const file = inputs.line('file');
  const buildx = readBuildxRequest(inputs);
  const cacheFrom = buildx
    ? buildx.cacheFrom.map(formatCacheEntry)
    : inputs.parsedList('cache-from', (v) => formatReference(parseReference(v)));
  return {
    repositories,
    context: readContext(inputs),
    ...(file && { file }),
    ...(target && { target }),
    buildArgs: inputs.keyValues('build-args'),
    labels,
    secrets,
    cacheFrom,
    ...(buildx && { buildx }),
    tagTemplates: inputs.list('tags'),
    versionPrefix: readVersionPrefix(inputs),
    pull: inputs.boolean('pull', false),
    noCache: inputs.boolean('no-cache', false),
  };
}

/**
 * The buildx options, or undefined when none is given and no cache-from line is in buildx's
 * `type=` syntax: a plain build then stays the classic `docker build`, which needs no buildx.
 */
export function readBuildxRequest(inputs: Inputs): BuildxRequest | undefined {
  const platforms = parsePlatforms(inputs.string('platforms'));
  const builder = inputs.line('builder');
  if (builder && !BUILDER.test(builder))
    throw new InputError('builder', `${JSON.stringify(builder)} is not a builder name (docker buildx ls)`);
  const cacheFromLines = inputs.list('cache-from');
  const cacheFrom = cacheFromLines.map((line) => parseCacheEntry('cache-from', line));
  const cacheTo = inputs.list('cache-to').map((line) => parseCacheEntry('cache-to', line));
  const push = inputs.boolean('push', false);
  const pushByDigest = inputs.boolean('push-by-digest', false);
  if (pushByDigest && !push)
    throw new InputError(
      'push-by-digest',
      'needs push: true (it says how the image is pushed: by digest, no tag)',
    );
  const attestation = (name: 'provenance' | 'sbom') => {
    const value = inputs.line(name);
    if (value && !ATTESTATION.test(value))
      throw new InputError(
        name,
        `${JSON.stringify(value)} is not true, false or buildx attributes (mode=max, generator=IMAGE…)`,
      );
    return value || undefined;
  };
  const provenance = attestation('provenance');
  const sbom = attestation('sbom');
  const annotations = inputs.list('annotations').map(parseAnnotation);
  const wanted =
    platforms.length > 0 ||
    builder ||
    cacheTo.length > 0 ||
    push ||
    provenance !== undefined ||
    sbom !== undefined ||
    annotations.length > 0 ||
    cacheFromLines.some((line) => line.includes('='));
  if (!wanted) return undefined;
  return {
    ...(builder && { builder }),
    platforms,
    cacheFrom,
    cacheTo,
    push,
    ...(pushByDigest && { pushByDigest }),
    ...(provenance !== undefined && { provenance }),
    ...(sbom !== undefined && { sbom }),
    annotations,
  };
}

/**
 * The image's labels: `created` is the commit's time when known (an unchanged rebuild gives the
 * same labels, so it can give the same image), `version` the release on a semver git tag (else
 * the build's version), and the build's version again in dev.slipway.version.
 */
export function ociLabels(
  ctx: GitContext,
  version: string,
  repository: ImageReference,
  created: Date = ctx.now,
): Array<[string, string]> {
  const source = ctx.repository ? `${ctx.serverUrl}/${ctx.repository}` : '';
  const release = releaseOf(ctx);
  const labels: Array<[string, string]> = [
    ['org.opencontainers.image.created', created.toISOString()],
    ['org.opencontainers.image.version', release ? formatSemver(release) : version],
    [
      'org.opencontainers.image.title',
      (ctx.repository.split('/')[1] ?? repository.repository.split('/').pop()) || '',
    ],
  ];
  if (ctx.description) labels.push(['org.opencontainers.image.description', ctx.description]);
  if (ctx.license) labels.push(['org.opencontainers.image.licenses', ctx.license]);
  if (ctx.sha) labels.push(['org.opencontainers.image.revision', ctx.sha]);
  if (source)
    labels.push(['org.opencontainers.image.source', source], ['org.opencontainers.image.url', source]);
  labels.push([VERSION_LABEL, version]);
  const run = runUrl(ctx);
  if (run) labels.push(['dev.slipway.run', run]);
  return labels;
}

export function planBuild(request: BuildRequest, ctx: GitContext, committed?: Date): BuildPlan {
  const version = versionTag(ctx, request.versionPrefix);
  const extra = request.tagTemplates.map((t): PlannedTag => {
    try {
      return { tag: expandTemplate(t, ctx, request.versionPrefix), source: 'template' };
    } catch (error) {
      throw new InputError('tags', (error as Error).message);
    }
  });
  const tagPlan = uniqueTags([...defaultTagPlan(ctx, request.versionPrefix), ...extra]);
  const tags = tagPlan.map((t) => t.tag);
  const references = request.repositories.flatMap((repo) =>
    tags.map((t) => formatReference(withTag(repo, t))),
  );
  const computed = ociLabels(ctx, version, request.repositories[0] as ImageReference, committed);
  const overridden = new Set(request.labels.map(([k]) => k));
  const labels = [...computed.filter(([k]) => !overridden.has(k)), ...request.labels];
  return {
    version,
    tags,
    tagPlan,
    immutableTags: tagPlan.filter((t) => isImmutableSource(t.source)).map((t) => t.tag),
    references,
    labels,
    ...(committed && { sourceDateEpoch: Math.floor(committed.getTime() / 1000) }),
  };
}

/**
 * The build args of a build: the user's, and SOURCE_DATE_EPOCH (the commit's time) unless the user
 * set it: BuildKit then stamps the image's times with it, so an unchanged rebuild can be the same image.
 */
export function buildArgsOf(
  request: BuildRequest,
  plan: BuildPlan,
): ReadonlyArray<readonly [string, string]> {
  if (plan.sourceDateEpoch === undefined || request.buildArgs.some(([k]) => k === 'SOURCE_DATE_EPOCH'))
    return request.buildArgs;
  return [...request.buildArgs, ['SOURCE_DATE_EPOCH', String(plan.sourceDateEpoch)]];
}
