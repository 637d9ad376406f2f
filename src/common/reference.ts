/**
 * Image references: strict parsing and normalisation, following the grammar of
 * distribution/reference (registry host[:port], lowercase path components, tag, digest).
 *
 *   127.0.0.1:5000/team/app:20260101-7@sha256:…   registry "127.0.0.1:5000", repository "team/app"
 *   app                                            registry "docker.io", repository "library/app"
 */

import { hasControlCharacter } from './text';

export const DEFAULT_REGISTRY = 'docker.io';
/** Where docker.io's API actually answers. */
export const DEFAULT_REGISTRY_API_HOST = 'registry-1.docker.io';
const LEGACY_DEFAULT_REGISTRIES = new Set(['index.docker.io', 'registry-1.docker.io']);

const MAX_NAME_LENGTH = 255;
export const MAX_TAG_LENGTH = 128;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST_RE = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_RE = /^sha256:[a-f0-9]{64}$/;

export class InvalidReferenceError extends Error {
  readonly value: string;
  constructor(value: string, problem: string) {
    super(`invalid image reference ${JSON.stringify(value)}: ${problem}`);
    this.name = 'InvalidReferenceError';
    this.value = value;
  }
}

export interface ImageReference {
  /** Registry host with optional port: "docker.io", "ghcr.io", "127.0.0.1:5000". */
  readonly registry: string;
  /** Path inside the registry: "library/nginx", "team/app". */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export interface ParseOptions {
  /** Lowercase the repository path instead of rejecting upper case (build-and-tag's `image`). */
  readonly lowercase?: boolean;
  /** Refuse a tag or digest: the value must name a repository only. */
  readonly repositoryOnly?: boolean;
}

/** Parses and normalises an image reference; throws InvalidReferenceError with the reason. */
export function parseReference(input: string, options: ParseOptions = {}): ImageReference {
  const value = input;
  if (value.length === 0) throw new InvalidReferenceError(value, 'it is empty');
  if (/\s/.test(value)) throw new InvalidReferenceError(value, 'it contains white space');
  if (hasControlCharacter(value)) throw new InvalidReferenceError(value, 'it contains a control character');
  if (/[^\x21-\x7e]/.test(value)) throw new InvalidReferenceError(value, 'it contains a non-ASCII character');
  if (/[^A-Za-z0-9._:/@\-[\]=]/.test(value)) {
    const bad = value.match(/[^A-Za-z0-9._:/@\-[\]=]/)?.[0];
    throw new InvalidReferenceError(value, `the character ${JSON.stringify(bad)} is not allowed`);
  }

  let rest = value;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest))
      throw new InvalidReferenceError(value, `the digest ${JSON.stringify(digest)} is malformed`);
    if (digest.startsWith('sha256:') && !SHA256_RE.test(digest)) {
      throw new InvalidReferenceError(value, 'a sha256 digest must be 64 lowercase hex characters');
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) {
      throw new InvalidReferenceError(
        value,
        tag.length > MAX_TAG_LENGTH
          ? `the tag is longer than ${MAX_TAG_LENGTH} characters`
          : `the tag ${JSON.stringify(tag)} is invalid (letters, digits, _ . -; not starting with . or -)`,
      );
    }
  }
  if (options.repositoryOnly && (tag !== undefined || digest !== undefined)) {
    throw new InvalidReferenceError(value, 'a repository is expected here, without a tag or digest');
  }
  if (rest.length === 0) throw new InvalidReferenceError(value, 'the repository name is missing');
  if (rest.length > MAX_NAME_LENGTH)
    throw new InvalidReferenceError(value, `the name is longer than ${MAX_NAME_LENGTH} characters`);

  let registry = DEFAULT_REGISTRY;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (
      first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase()
    ) {
      if (!HOST_RE.test(first))
        throw new InvalidReferenceError(
          value,
          `the registry ${JSON.stringify(first)} is not a valid host[:port]`,
        );
      registry = LEGACY_DEFAULT_REGISTRIES.has(first) ? DEFAULT_REGISTRY : first;
      path = rest.slice(firstSlash + 1);
    }
  }
  if (options.lowercase) path = path.toLowerCase();
  if (path.length === 0) throw new InvalidReferenceError(value, 'the repository name is missing');
  for (const component of path.split('/')) {
    if (component === '')
      throw new InvalidReferenceError(value, 'the repository path has an empty component');
    if (!PATH_COMPONENT_RE.test(component)) {
      const problem =
        component !== component.toLowerCase()
          ? 'repository names must be lowercase'
          : `the path component ${JSON.stringify(component)} is invalid (lowercase letters, digits, separated by . _ __ or -)`;
      throw new InvalidReferenceError(value, problem);
    }
  }
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  if (`${registry}/${path}`.length > MAX_NAME_LENGTH) {
    throw new InvalidReferenceError(value, `the name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return {
    registry,
    repository: path,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/** registry/repository, fully qualified ("docker.io/library/nginx"). */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The canonical full form: registry/repository[:tag][@digest]. */
export function formatReference(ref: ImageReference): string {
  return `${repositoryName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The short form docker prints ("nginx:1", "ghcr.io/o/app:1"). */
export function familiarName(ref: ImageReference): string {
  let name = repositoryName(ref);
  if (ref.registry === DEFAULT_REGISTRY) {
    name = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

export function withTag(ref: ImageReference, tag: string): ImageReference {
  if (!TAG_RE.test(tag))
    throw new InvalidReferenceError(
      `${repositoryName(ref)}:${tag}`,
      `the tag ${JSON.stringify(tag)} is invalid`,
    );
  return { registry: ref.registry, repository: ref.repository, tag };
}

export function withDigest(ref: ImageReference, digest: string): ImageReference {
  if (!SHA256_RE.test(digest))
    throw new InvalidReferenceError(
      `${repositoryName(ref)}@${digest}`,
      'a sha256 digest must be 64 lowercase hex characters',
    );
  return { registry: ref.registry, repository: ref.repository, digest };
}

/** The host to speak the registry API to (docker.io answers at registry-1.docker.io). */
export function registryApiHost(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DEFAULT_REGISTRY_API_HOST : registry;
}

/** A registry host[:port] as references name it (a port, when given, from 1 to 65535). */
export function isRegistryHost(text: string): boolean {
  if (!HOST_RE.test(text)) return false;
  const port = /\]?:(\d+)$/.exec(text)?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isSha256Digest(digest: string): boolean {
  return SHA256_RE.test(digest);
}
