/**
 * What a buildx build needs decided before it runs, as pure functions: platforms, cache entries in
 * buildx's own syntax, annotations, the builder's driver read from `docker buildx inspect`, and
 * whether that builder can do what was asked (the docker driver on the classic image store can
 * neither build an index of several platforms nor export a cache).
 */
import { InputError } from '../common/inputs';
import { formatReference, parseReference } from '../common/reference';

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

/** `platforms`: os/arch[/variant], comma- or line-separated, without duplicates. */
export function parsePlatforms(text: string): string[] {
  const platforms = [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ];
  for (const platform of platforms) {
    if (!PLATFORM.test(platform))
      throw new InputError(
        'platforms',
        `${JSON.stringify(platform)} is not os/arch[/variant] (e.g. linux/arm64)`,
      );
  }
  return platforms;
}

/** Splits one CSV line the way buildx reads --cache-from/--cache-to (double quotes group a field). */
export function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else field += char;
  }
  if (quoted) throw new Error('unterminated quote');
  fields.push(field);
  return fields.map((f) => f.trim()).filter(Boolean);
}

export interface CacheEntry {
  readonly type: string;
  readonly attrs: ReadonlyArray<readonly [string, string]>;
}

const CACHE_TYPES = ['registry', 'local', 'gha', 'inline', 's3', 'azblob'];
/** Cache attributes that carry credentials: never accepted on the command line. */
const CREDENTIAL_ATTRS = [
  'token',
  'secret_access_key',
  'session_token',
  'access_key_id',
  'account_key',
  'secret',
];

/** What a cache type needs, per direction. */
const REQUIRED: Record<string, { from?: string; to?: string }> = {
  registry: { from: 'ref', to: 'ref' },
  local: { from: 'src', to: 'dest' },
};

/**
 * One `cache-from`/`cache-to` line: buildx's `type=…,key=value` syntax, or a bare image reference,
 * taken as `type=registry,ref=<reference>` (what cache-from always accepted).
 */
export function parseCacheEntry(input: 'cache-from' | 'cache-to', line: string): CacheEntry {
  if (!line.includes('=')) {
    let ref: string;
    try {
      ref = formatReference(parseReference(line));
    } catch (error) {
      throw new InputError(input, `${JSON.stringify(line)}: ${(error as Error).message}`);
    }
    return { type: 'registry', attrs: [['ref', ref]] };
  }
  let fields: string[];
  try {
    fields = splitCsv(line);
  } catch (error) {
    throw new InputError(input, `${JSON.stringify(line)}: ${(error as Error).message}`);
  }
  // Credentials in a cache attribute would ride on buildx's command line (visible in `ps`, echoed
  // in its errors): refused, naming only the key, never the value.
  for (const field of fields) {
    const key = field
      .slice(0, Math.max(field.indexOf('='), 0))
      .trim()
      .toLowerCase();
    if (CREDENTIAL_ATTRS.includes(key))
      throw new InputError(
        input,
        `${key}= would put a credential on the buildx command line: leave it out and give it in the environment (ACTIONS_RUNTIME_TOKEN for type=gha, AWS_* for type=s3, AZURE_STORAGE_* for type=azblob)`,
      );
  }
  let type = '';
  const attrs: Array<[string, string]> = [];
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq <= 0)
      throw new InputError(input, `${JSON.stringify(field)} is not key=value (in ${JSON.stringify(line)})`);
    const key = field.slice(0, eq).trim().toLowerCase();
    const value = field.slice(eq + 1).trim();
    if (key === 'type') type = value;
    else attrs.push([key, value]);
  }
  if (!type)
    throw new InputError(input, `${JSON.stringify(line)} has no type= (registry, gha, local, inline…)`);
  if (!CACHE_TYPES.includes(type))
    throw new InputError(input, `type=${type} is not a cache type buildx knows (${CACHE_TYPES.join(', ')})`);
  const needed = REQUIRED[type]?.[input === 'cache-from' ? 'from' : 'to'];
  if (needed && !attrs.some(([k]) => k === needed))
    throw new InputError(input, `type=${type} needs ${needed}=… (in ${JSON.stringify(line)})`);
  if (type === 'registry') {
    const ref = attrs.find(([k]) => k === 'ref')?.[1] ?? '';
    try {
      parseReference(ref);
    } catch (error) {
      throw new InputError(input, `ref=${ref}: ${(error as Error).message}`);
    }
  }
  if (type === 'inline' && input === 'cache-from')
    throw new InputError(
      input,
      'type=inline is a cache-to type; import an inline cache with type=registry,ref=IMAGE',
    );
  return { type, attrs };
}

/** The entry as buildx's flag value (fields with a comma or quote are quoted). */
export function formatCacheEntry(entry: CacheEntry): string {
  const quote = (s: string) => (/[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return [`type=${entry.type}`, ...entry.attrs.map(([k, v]) => quote(`${k}=${v}`))].join(',');
}

/** Whether a value of a `provenance`/`sbom` input turns the attestation on (`false`/`0` off). */
export function attestationOn(value: string | undefined): boolean {
  if (value === undefined || value === '') return false;
  return !/^(false|0|disabled)$/i.test(value.trim());
}

const ANNOTATION =
  /^(?:([a-z-]+(?:\[[^\]]+\])?(?:,[a-z-]+(?:\[[^\]]+\])?)*):)?([A-Za-z0-9][A-Za-z0-9._/-]*)=(.*)$/s;
const ANNOTATION_LEVELS = ['manifest', 'index', 'manifest-descriptor', 'index-descriptor'];

/** `annotations`: `[level:]key=value` one a line, as docker buildx build --annotation takes them. */
export function parseAnnotation(line: string): string {
  const match = ANNOTATION.exec(line);
  if (!match)
    throw new InputError('annotations', `each line must be [type:]key=value, got ${JSON.stringify(line)}`);
  for (const level of (match[1] ?? '').split(',').filter(Boolean)) {
    const name = level.replace(/\[.*$/, '');
    if (!ANNOTATION_LEVELS.includes(name))
      throw new InputError(
        'annotations',
        `${JSON.stringify(name)} is not one of ${ANNOTATION_LEVELS.join(', ')}`,
      );
  }
  return line;
}

export interface BuilderInfo {
  readonly name: string;
  readonly driver: string;
  readonly platforms: readonly string[];
}

/** The builder's name, driver and platforms from `docker buildx inspect` (its first node). */
export function parseBuilderInspect(text: string): BuilderInfo {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return {
    name: field('Name'),
    driver: field('Driver'),
    platforms: field('Platforms')
      .split(',')
      .map((p) => p.trim().replace(/\*$/, ''))
      .filter(Boolean),
  };
}

/**
 * Where buildx keeps the instance file of the builder `name` (created by docker buildx create, or
 * docker/setup-buildx-action): $BUILDX_CONFIG, else $DOCKER_CONFIG/buildx, else ~/.docker/buildx,
 * then instances/<name>. Undefined for a name buildx would not store as a file name.
 */
export function builderInstancePath(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) return undefined;
  const config = env.BUILDX_CONFIG || `${env.DOCKER_CONFIG || `${home}/.docker`}/buildx`;
  return `${config}/instances/${name}`;
}

/** Drivers whose builder runs BuildKit itself: every platform, cache export and attestation, no image-store check. */
const OWN_BUILDKIT_DRIVERS = ['docker-container', 'remote', 'kubernetes'];

/**
 * The builder `name` as its instance file describes it, when its driver is one that can do
 * everything a build asks (so no `docker buildx inspect` is needed before building); undefined
 * otherwise (no such file, another name, the docker driver, unreadable JSON): then ask buildx.
 */
export function builderFromInstance(text: string, name: string): BuilderInfo | undefined {
  let json: { Name?: unknown; Driver?: unknown; Nodes?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return undefined;
  }
  if (json.Name !== name || typeof json.Driver !== 'string' || !OWN_BUILDKIT_DRIVERS.includes(json.Driver))
    return undefined;
  const nodes = Array.isArray(json.Nodes) ? (json.Nodes as Array<{ Platforms?: unknown }>) : [];
  const platforms = nodes
    .flatMap((n) => (Array.isArray(n.Platforms) ? n.Platforms : []))
    .map((p: { os?: string; architecture?: string; variant?: string }) =>
      [p.os, p.architecture, p.variant].filter(Boolean).join('/'),
    )
    .filter(Boolean);
  return { name, driver: json.Driver, platforms };
}

/** Whether the engine stores images in containerd (`docker info` DriverStatus names its snapshotter). */
export function containerdStore(driverStatus: string): boolean {
  return driverStatus.includes('io.containerd.snapshotter');
}

/** What the request asks of the builder that only some drivers can do. */
export interface BuilderNeeds {
  readonly platforms: readonly string[];
  readonly cacheTo: readonly CacheEntry[];
  readonly provenance?: string;
  readonly sbom?: string;
  readonly annotations: readonly string[];
}

const NEEDS_BUILDER =
  'that needs a BuildKit builder that can export it: a docker-container or remote builder (docker buildx create --driver docker-container --name NAME, or docker/setup-buildx-action on GitHub) passed as builder, or an engine with the containerd image store';

/**
 * The first input this builder cannot honour, as an InputError, or undefined. The docker driver on
 * the classic image store builds one platform and exports only an inline cache and no attestations.
 */
export function builderRefusal(
  builder: BuilderInfo,
  classicStore: boolean,
  needs: BuilderNeeds,
): InputError | undefined {
  if (builder.driver !== 'docker' || !classicStore) return undefined;
  const which = `the builder ${JSON.stringify(builder.name || 'default')} (docker driver, classic image store)`;
  if (needs.platforms.length > 1)
    return new InputError(
      'platforms',
      `${needs.platforms.join(', ')}: ${which} builds one platform at a time; ${NEEDS_BUILDER}`,
    );
  const exported = needs.cacheTo.find((c) => c.type !== 'inline');
  if (exported)
    return new InputError(
      'cache-to',
      `type=${exported.type}: ${which} cannot export a cache (only type=inline); ${NEEDS_BUILDER}`,
    );
  if (attestationOn(needs.provenance))
    return new InputError('provenance', `${which} cannot attach attestations; ${NEEDS_BUILDER}`);
  if (attestationOn(needs.sbom))
    return new InputError('sbom', `${which} cannot attach attestations; ${NEEDS_BUILDER}`);
  if (needs.annotations.length > 0)
    return new InputError('annotations', `${which} drops annotations; ${NEEDS_BUILDER}`);
  return undefined;
}

/** `docker version`'s Server.Os/Server.Arch as a platform (linux/amd64). */
export function enginePlatform(text: string): string {
  const [os = 'linux', arch = 'amd64'] = text.trim().split('/');
  const normal: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64' };
  return `${os}/${normal[arch] ?? arch}`;
}

/** Whether `platform` (os/arch[/variant]) is `runner`'s platform (a variant on either side is ignored). */
export function samePlatform(platform: string, runner: string): boolean {
  return platform.split('/').slice(0, 2).join('/') === runner.split('/').slice(0, 2).join('/');
}

/**
 * Whether a build of several platforms can be loaded whole into the engine's image store: only
 * the docker driver on an engine with the containerd image store (Docker 29's default), which
 * keeps the index; the classic store holds one platform, other drivers load through a tarball of one.
 */
export function loadsEveryPlatform(builder: { driver: string }, classicStore: boolean): boolean {
  return builder.driver === 'docker' && !classicStore;
}

/** One line saying which builder builds what and where the result goes. */
export function describeBuildx(
  request: { platforms: readonly string[]; push: boolean },
  check: { builder: BuilderInfo; classicStore: boolean; runnerPlatform: string },
): string {
  const platforms = request.platforms.length > 0 ? request.platforms.join(', ') : check.runnerPlatform;
  const where = request.push
    ? 'pushed from the builder'
    : request.platforms.length <= 1
      ? 'loaded into the engine'
      : loadsEveryPlatform(check.builder, check.classicStore)
        ? "loaded into the engine's containerd image store as one index"
        : `kept in the builder; ${check.runnerPlatform} (this runner's platform) loaded into the engine when built`;
  return `Builder ${check.builder.name || 'default'} (${check.builder.driver} driver) builds ${platforms}, ${where}`;
}
