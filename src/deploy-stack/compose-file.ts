/**
 * Compose and stack files as data: reading the services out of one, and writing the file that
 * runs on the hosts, where every image Slipway deploys is pinned to its digest (a restarted host
 * never drifts to a newer tag). Comments and everything Slipway does not touch are kept.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type Pair, parseDocument, YAMLMap } from 'yaml';
import { type ImageReference, parseReference } from '../common/reference';

export interface ComposeService {
  readonly name: string;
  /** The image the file names, if any. */
  readonly image?: string;
  /** True when the service is built from source (hosts never build). */
  readonly build: boolean;
  readonly dependsOn: readonly string[];
  readonly healthcheck: boolean;
}

export interface StackImage {
  readonly service: string;
  readonly image: ImageReference;
}

export class ComposeFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComposeFileError';
  }
}

function load(text: string): Document {
  // merge: YAML merge keys (`<<: *base`), which compose resolves, are resolved here too.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) throw new ComposeFileError(`is not valid YAML: ${doc.errors[0]?.message}`);
  const services = doc.get('services');
  if (!isMap(services) || services.items.length === 0)
    throw new ComposeFileError('has no services: a compose file needs a "services" map');
  return doc;
}

function servicesMap(doc: Document): YAMLMap {
  return doc.get('services') as YAMLMap;
}

/** A merge key (`<<`): the yaml library gives its key a symbol with `merge: true`, the text without. */
function isMergeKey(pair: Pair): boolean {
  if (!isScalar(pair.key)) return false;
  const value = pair.key.value;
  return value === '<<' || (typeof value === 'symbol' && value.description === '<<');
}

function keyOf(pair: Pair): string {
  return String(isScalar(pair.key) ? pair.key.value : pair.key);
}

/**
 * Writes a map's merge keys out as its own entries (YAML's rules: the map's own keys win, then the
 * first source that has a key), so what the pinned file changes in a service — its image, `build`
 * removed, environment, labels, deploy settings — changes what compose runs, not a copy beside an
 * inherited one.
 */
function flattenMerges(doc: Document, map: YAMLMap): void {
  if (!map.items.some(isMergeKey)) return;
  const own = new Set(map.items.filter((p) => !isMergeKey(p)).map(keyOf));
  const inherited: Pair[] = [];
  for (const pair of map.items.filter(isMergeKey)) {
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const node = isAlias(source) ? source.resolve(doc) : source;
      if (!isMap(node)) continue;
      const copy = node.clone() as YAMLMap;
      flattenMerges(doc, copy);
      for (const p of copy.items as Pair[]) {
        const key = keyOf(p);
        if (own.has(key)) continue;
        own.add(key);
        inherited.push(p);
      }
    }
  }
  map.items = [...map.items.filter((p) => !isMergeKey(p)), ...inherited];
}

/** The services of a compose file, in file order. */
export function composeServices(text: string): ComposeService[] {
  const plain = load(text).toJS() as { services: Record<string, Record<string, unknown> | null> };
  return Object.entries(plain.services).map(([name, raw]) => {
    const service = raw ?? {};
    const depends = service.depends_on;
    const dependsOn = Array.isArray(depends)
      ? depends.map(String)
      : depends && typeof depends === 'object'
        ? Object.keys(depends)
        : [];
    const image = typeof service.image === 'string' ? service.image : undefined;
    return {
      name,
      ...(image && { image }),
      build: service.build !== undefined,
      dependsOn,
      healthcheck: Boolean(service.healthcheck),
    };
  });
}

/**
 * Checks the stack images against the file: every `images` line names a service of the file, and no
 * service is left to be built on the host. Returns the services (for planning and reports).
 */
export function checkStack(text: string, images: readonly StackImage[]): ComposeService[] {
  const services = composeServices(text);
  const names = new Set(services.map((s) => s.name));
  for (const { service } of images) {
    if (!names.has(service))
      throw new ComposeFileError(
        `has no service ${JSON.stringify(service)} (named in images); its services: ${[...names].join(', ')}`,
      );
  }
  const pinned = new Set(images.map((i) => i.service));
  for (const service of services) {
    if (service.build && !pinned.has(service.name))
      throw new ComposeFileError(
        `service ${service.name} is built from source; hosts never build: give its image in images (${service.name}=registry/repo:tag)`,
      );
    if (!service.image && !pinned.has(service.name))
      throw new ComposeFileError(`service ${service.name} has no image`);
  }
  return services;
}

/** Services whose image is neither pinned by Slipway nor by digest in the file (they may drift). */
export function unpinnedServices(text: string, pinnedServices: readonly string[]): string[] {
  return composeServices(text)
    .filter((s) => !pinnedServices.includes(s.name))
    .filter((s) => {
      if (!s.image) return true;
      try {
        return !parseReference(s.image).digest;
      } catch {
        return true;
      }
    })
    .map((s) => s.name);
}

/**
 * The variable of compose's own environment that carries the value of the container variable
 * `name`: a prefixed name, so no value meant for the containers (PATH, HOME, DOCKER_HOST,
 * COMPOSE_FILE, LD_PRELOAD…) ever changes how compose itself runs.
 */
export function composeEnvVariable(name: string): string {
  return `SLIPWAY_ENV_${name}`;
}

/**
 * How the pinned file names a container variable: `${SLIPWAY_ENV_NAME?…}`. Compose (v1 and v2)
 * substitutes the value of its own environment once, literally (no dotenv parsing: quotes, `#`,
 * `$` and spaces arrive as they are), and refuses to run when the variable is missing, so a
 * compose command run by hand without the values fails instead of blanking them.
 */
export function composeEnvReference(name: string): string {
  return `\${${composeEnvVariable(name)}?is given by Slipway at deploy time (env, secret-env)}`;
}

export interface PinOptions {
  /** service → repo@sha256:… */
  readonly images: ReadonlyMap<string, string>;
  /** Variables set in every service's environment, their values taken from compose's environment. */
  readonly envNames?: readonly string[];
  /** Labels set on every service (a fingerprint of the env values, so a changed value recreates). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Swarm stacks: update defaults for zero-downtime (start-first, roll back on failure) where the file sets none. */
  readonly swarmUpdateDefaults?: { readonly parallelism: number };
}

/** The file that runs on the hosts: pinned images (no `build:`), the env file, swarm update defaults. */
export function pinComposeFile(text: string, options: PinOptions): string {
  const doc = load(text);
  const services = servicesMap(doc);
  for (const item of services.items) {
    const name = String((item.key as { value?: unknown })?.value ?? item.key);
    if (!isMap(item.value)) item.value = new YAMLMap();
    const service = item.value as YAMLMap;
    flattenMerges(doc, service);
    const pinned = options.images.get(name);
    if (pinned) {
      service.set('image', pinned);
      service.delete('build');
    }
    if (options.envNames && options.envNames.length > 0) setEnvironment(doc, service, options.envNames);
    for (const [key, value] of Object.entries(options.labels ?? {})) {
      const labels = service.get('labels');
      if (isSeq(labels)) labels.add(`${key}=${value}`);
      else if (isMap(labels)) labels.set(key, value);
      else service.set('labels', doc.createNode({ [key]: value }));
    }
    if (options.swarmUpdateDefaults) {
      const deploy = (service.get('deploy') as YAMLMap | undefined) ?? new YAMLMap();
      // A port published in host mode is held by the old task: the new one cannot start first.
      const order = publishesInHostMode(service) ? 'stop-first' : 'start-first';
      for (const [key, failureAction] of [
        ['update_config', 'rollback'],
        ['rollback_config', 'pause'],
      ] as const) {
        if (!deploy.has(key)) {
          deploy.set(
            key,
            doc.createNode({
              parallelism: options.swarmUpdateDefaults.parallelism,
              order,
              failure_action: failureAction,
            }),
          );
        }
      }
      service.set('deploy', deploy);
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** The env file that pinned files written before values were carried by name referenced. */
export const LEGACY_ENV_FILE = 'slipway.env';

/**
 * A pinned file written by an earlier Slipway (env values in a `slipway.env` env file, which no
 * longer exists on the host) made runnable again: the env file reference dropped and `envNames`
 * named instead, the way pinComposeFile does. Any other file is returned as it is.
 */
export function upgradeLegacyFile(text: string, envNames: readonly string[]): string {
  const doc = load(text);
  let legacy = false;
  for (const item of servicesMap(doc).items) {
    if (!isMap(item.value)) continue;
    const service = item.value;
    const envFile = service.get('env_file');
    if (isSeq(envFile)) {
      const kept = envFile.items.filter(
        (i) => String((i as { value?: unknown })?.value ?? i) !== LEGACY_ENV_FILE,
      );
      if (kept.length === envFile.items.length) continue;
      legacy = true;
      if (kept.length === 0) service.delete('env_file');
      else envFile.items = kept;
    } else if (envFile === LEGACY_ENV_FILE) {
      legacy = true;
      service.delete('env_file');
    }
  }
  if (!legacy) return text;
  return pinComposeFile(doc.toString({ lineWidth: 0 }), { images: new Map(), envNames });
}

/** Sets each of `names` in the service's environment (list or map), over what the file says. */
function setEnvironment(doc: Document, service: YAMLMap, names: readonly string[]): void {
  const existing = service.get('environment');
  if (isSeq(existing)) {
    existing.items = existing.items.filter((item) => {
      const text = String((item as { value?: unknown })?.value ?? item);
      return !names.includes(text.split('=')[0] as string);
    });
    for (const name of names) existing.add(doc.createNode(`${name}=${composeEnvReference(name)}`));
  } else if (isMap(existing)) {
    for (const name of names) existing.set(name, composeEnvReference(name));
  } else {
    service.set(
      'environment',
      doc.createNode(Object.fromEntries(names.map((name) => [name, composeEnvReference(name)]))),
    );
  }
}

function publishesInHostMode(service: YAMLMap): boolean {
  const ports = service.toJSON().ports as unknown;
  return (
    Array.isArray(ports) &&
    ports.some((p) => p && typeof p === 'object' && (p as { mode?: string }).mode === 'host')
  );
}

/** require-same-tag: images built from one commit go out together, or not at all. */
export function checkSameTag(images: readonly StackImage[]): void {
  const tags = new Map<string, string[]>();
  for (const { service, image } of images) {
    const tag = image.tag ?? (image.digest ? '(a digest, no tag)' : 'latest');
    tags.set(tag, [...(tags.get(tag) ?? []), service]);
  }
  if (tags.size > 1) {
    const detail = [...tags].map(([tag, services]) => `${services.join(', ')}: ${tag}`).join('; ');
    throw new Error(`the images carry different tags (${detail}); require-same-tag refuses the stack`);
  }
}
