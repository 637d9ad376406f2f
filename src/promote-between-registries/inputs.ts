/** The inputs of promote-between-registries, checked before any request is made. */
import { readFileSync } from 'node:fs';
import { InputError, type Inputs } from '../common/inputs';
import {
  formatReference,
  type ImageReference,
  isSha256Digest,
  isValidTag,
  parseReference,
} from '../common/reference';
import { DEFAULT_MUTABLE_TAGS, isValidMutableTagPattern } from '../common/mutable-tags';
import { RegistryClient } from '../registry/client';
import type { Credentials } from '../registry/credentials';
import type { RegistryRole } from '../registry/diagnose';
import type { Clients, PromoteOptions, PromotePair } from './copy';

export interface PromoteRequest {
  readonly pairs: readonly PromotePair[];
  readonly options: PromoteOptions;
  readonly sourceCredentials?: Credentials;
  readonly destinationCredentials?: Credentials;
  readonly ca?: string;
  readonly insecure: readonly string[];
}

function credentials(inputs: Inputs, prefix: 'source' | 'destination'): Credentials | undefined {
  const username = inputs.line(`${prefix}-username`);
  const password = inputs.string(`${prefix}-password`);
  if (username && !password)
    throw new InputError(`${prefix}-password`, `is required when ${prefix}-username is given`);
  if (password && !username)
    throw new InputError(`${prefix}-username`, `is required when ${prefix}-password is given`);
  return username ? { username, password } : undefined;
}

export const DEFAULT_PLATFORM = 'linux/amd64';
const PLATFORM_RE = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const REGISTRY_RE = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\d{1,5})?$/;

/** `insecure`: true (every registry named), false/empty (none), or registries (host[:port]) one a line. */
export function readInsecure(inputs: Inputs, references: readonly ImageReference[]): string[] {
  const raw = inputs.string('insecure').trim();
  if (raw === '' || raw === 'false') return [];
  if (raw === 'true') return [...new Set(references.map((r) => r.registry))];
  const registries = inputs.list('insecure', { commas: true });
  for (const registry of registries) {
    // As in an image reference, a registry has a dot or a port, or is localhost.
    const looksLikeRegistry = /[.:]/.test(registry) || registry === 'localhost';
    if (!REGISTRY_RE.test(registry) || !looksLikeRegistry)
      throw new InputError(
        'insecure',
        `${JSON.stringify(registry)} is not a registry (host or host:port, no scheme or path), nor true or false`,
      );
  }
  return registries;
}

export function readPromoteRequest(inputs: Inputs): PromoteRequest {
  const sources = inputs.parsedList('source', (v) => parseReference(v), { required: true });
  const destinations = inputs.parsedList('destination', (v) => parseReference(v, { repositoryOnly: true }), {
    required: true,
  });
  const tags = inputs.list('tags', { commas: true });
  for (const tag of tags) {
    if (!isValidTag(tag)) throw new InputError('tags', `${JSON.stringify(tag)} is not a valid tag`);
  }
  const expected = inputs.list('expected-digest');
  for (const digest of expected) {
    if (!isSha256Digest(digest))
      throw new InputError('expected-digest', `${JSON.stringify(digest)} is not a sha256:… digest`);
  }
  if (expected.length > 0 && expected.length !== sources.length) {
    throw new InputError(
      'expected-digest',
      `give one digest per source (${sources.length}), got ${expected.length}`,
    );
  }
  if (sources.length > 1 && destinations.length !== sources.length) {
    throw new InputError(
      'destination',
      `a set of ${sources.length} sources needs ${sources.length} destinations, one per source in the same order`,
    );
  }
  const pairs: PromotePair[] = [];
  sources.forEach((source, i) => {
    const targets: ImageReference[] =
      sources.length === 1 ? destinations : [destinations[i] as ImageReference];
    const pairTags = tags.length > 0 ? tags : source.tag ? [source.tag] : [];
    // A source by digest only with no tags is copied by digest: nothing is tagged.
    if (pairTags.length === 0 && !source.digest) {
      throw new InputError(
        'tags',
        `${formatReference(source)} has no tag to carry over: give the tags to set`,
      );
    }
    for (const destination of targets) {
      pairs.push({
        source,
        destination,
        tags: pairTags,
        ...(expected[i] && { expectedDigest: expected[i] }),
      });
    }
  });
  const caFile = inputs.line('ca-file');
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new InputError('ca-file', `cannot be read: ${(error as Error).message}`);
    }
  }
  const insecure = readInsecure(inputs, [...sources, ...destinations]);
  const platform = inputs.line('platform') || DEFAULT_PLATFORM;
  if (!PLATFORM_RE.test(platform))
    throw new InputError(
      'platform',
      `${JSON.stringify(platform)} is not os/arch or os/arch/variant (e.g. linux/arm64)`,
    );
  const mutableTags = inputs.list('mutable-tags', { commas: true });
  for (const pattern of mutableTags) {
    if (!isValidMutableTagPattern(pattern))
      throw new InputError('mutable-tags', `${JSON.stringify(pattern)} is not a tag or a tag pattern with *`);
  }
  const sourceCredentials = credentials(inputs, 'source');
  const destinationCredentials = credentials(inputs, 'destination');
  return {
    pairs,
    options: {
      allowOverwrite: inputs.boolean('allow-overwrite', false),
      mutableTags: mutableTags.length > 0 ? mutableTags : DEFAULT_MUTABLE_TAGS,
      allPlatforms: inputs.boolean('all-platforms', true),
      platform,
      concurrency: inputs.integer('concurrency', 4, { min: 1, max: 64 }),
      dryRun: inputs.boolean('dry-run', false),
      referrers: inputs.boolean('referrers', true),
    },
    ...(sourceCredentials && { sourceCredentials }),
    ...(destinationCredentials && { destinationCredentials }),
    ...(ca && { ca }),
    insecure,
  };
}

/** One client per registry and role (errors name the role); `signal` aborts all their requests. */
export function clientsFor(request: PromoteRequest, signal?: AbortSignal): Clients {
  const cache = new Map<string, RegistryClient>();
  const make = (registry: string, creds: Credentials | undefined, role: RegistryRole) => {
    const key = `${role}|${registry}|${creds?.username ?? ''}|${creds?.password ?? ''}`;
    let client = cache.get(key);
    if (!client) {
      client = new RegistryClient(registry, {
        ...(creds && { credentials: creds }),
        insecure: request.insecure.includes(registry),
        ...(request.ca && { ca: request.ca }),
        ...(signal && { signal }),
        role,
      });
      cache.set(key, client);
    }
    return client;
  };
  return {
    source: (registry) => make(registry, request.sourceCredentials, 'source'),
    destination: (registry) => make(registry, request.destinationCredentials, 'destination'),
  };
}
