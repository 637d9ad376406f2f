/** Resolving a tag to the digest a registry serves for it. */
import { type ImageReference, parseReference } from '../common/reference';
import { RegistryClient, type RegistryOptions } from './client';

/** A client; a loopback registry may answer plain HTTP (the client knows), and no certificate check is skipped. */
export function clientFor(registry: string, options: RegistryOptions = {}): RegistryClient {
  return new RegistryClient(registry, options);
}

/** The digest a reference resolves to now (its own digest when it has one). */
export async function resolveDigest(
  ref: ImageReference,
  options: RegistryOptions = {},
): Promise<string | undefined> {
  if (ref.digest) return ref.digest;
  const client = clientFor(ref.registry, options);
  const manifest = await client.headManifest(ref.repository, ref.tag ?? 'latest');
  return manifest?.digest;
}

export async function resolveReferenceDigest(
  text: string,
  options: RegistryOptions = {},
): Promise<string | undefined> {
  return resolveDigest(parseReference(text), options);
}

/** A tag the registry already serves for other content, which would move (the whole operation is refused). */
export class TagConflictError extends Error {
  constructor(
    destination: string,
    tag: string,
    current: string,
    wanted: string,
    how = 'set allow-overwrite: true to move it',
  ) {
    super(
      `${destination}:${tag} already points to ${current}, not to ${wanted}; refusing to move it (${how})`,
    );
    this.name = 'TagConflictError';
  }
}
