/**
 * merge-by-digest: the index of a matrix build's per-platform images, pushed by digest, assembled
 * from those digests unchanged, tagged, and (with sign-key) signed.
 */
import { InputError, type Inputs } from '../common/inputs';
import { parseReference, repositoryName, withTag } from '../common/reference';
import { Code, facts, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';
import { sha256 } from '../registry/client';
import { clientFor } from '../registry/resolve';
import { readSignatureFormat, readSigningKey, readTestReportInputs } from '../supply-chain/inputs';
import { maskSigningInputs, signPushed } from '../supply-chain/operation';
import { planIndex, readParts } from './merge';

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export interface MergeRequest {
  readonly registry: string;
  readonly repository: string;
  readonly digests: readonly string[];
  readonly tags: readonly string[];
}

/** `image` (a repository), `digests` (sha256:… or repository@sha256:…, one a line) and `tags`. */
export function readMergeRequest(inputs: Inputs): MergeRequest {
  const image = inputs.line('image');
  if (!image) inputs.required('image');
  let ref;
  try {
    ref = parseReference(image);
  } catch (error) {
    throw new InputError('image', (error as Error).message);
  }
  if (image.includes('@') || image.slice(image.lastIndexOf('/')).includes(':'))
    throw new InputError('image', `${JSON.stringify(image)} must be a repository, without a tag or digest`);
  const name = repositoryName(ref);
  const digests = inputs
    .list('digests', { commas: true })
    .flatMap((item) => item.split(/\s+/))
    .map((line) => {
      const digest = line.includes('@') ? line.slice(line.lastIndexOf('@') + 1) : line;
      if (line.includes('@') && repositoryName(parseReference(line)) !== name)
        throw new InputError('digests', `${JSON.stringify(line)} is not in ${name}`);
      if (!DIGEST.test(digest))
        throw new InputError('digests', `${JSON.stringify(line)} is not a sha256 digest`);
      return digest;
    });
  if (digests.length === 0)
    throw new InputError('digests', 'is required: the digest each platform was pushed by');
  const tags = inputs.list('tags').map((line) => {
    const tag = line.includes('/') ? line.slice(line.lastIndexOf(':') + 1) : line;
    if (line.includes('/') && repositoryName(parseReference(line)) !== name)
      throw new InputError('tags', `${JSON.stringify(line)} is not in ${name}`);
    try {
      withTag(ref, tag);
    } catch {
      throw new InputError('tags', `${JSON.stringify(tag)} is not a valid tag`);
    }
    return tag;
  });
  return { registry: ref.registry, repository: ref.repository, digests: [...new Set(digests)], tags };
}

export async function runMerge(inputs: Inputs, report: Reporter): Promise<Outcome> {
  maskSigningInputs(inputs, report);
  const request = readMergeRequest(inputs);
  const signKey = readSigningKey(inputs);
  // Read (and checked) before anything is pushed.
  const tests = signKey ? readTestReportInputs(inputs) : undefined;
  const format = readSignatureFormat(inputs);
  const username = inputs.string('username');
  const password = inputs.string('password');
  if (password) report.mask(password);
  const credentials = username && password ? { credentials: { username, password } } : {};
  const client = clientFor(request.registry, credentials);
  const name = `${request.registry}/${request.repository}`;
  const parts = await readParts(client, request.repository, request.digests);
  const index = planIndex(parts);
  const digest = await client.putManifest(request.repository, sha256(index.bytes), index);
  report.info(`Pushed the index of ${index.platforms.join(', ')} as ${name}@${digest}`);
  for (const tag of request.tags) {
    await client.putManifest(request.repository, tag, index);
    report.info(`Tagged ${name}:${tag}`);
  }
  const outputs: Record<string, string> = {
    digest,
    refs: `${name}@${digest}`,
    tags: request.tags.map((t) => `${name}:${t}`).join('\n'),
    platforms: index.platforms.join(','),
  };
  const summary = [
    heading(`Merged ${name}@${digest}`),
    table(
      ['Platform', 'Digest (unchanged)'],
      parts.map((p) => [
        p.entries.map((e) => (e.platform ? `${e.platform.os}/${e.platform.architecture}` : '?')).join(', '),
        new Code(p.digest),
      ]),
    ),
    facts([['Tags', request.tags.join(', ') || '—']]),
  ];
  if (signKey) {
    const signed = await signPushed(
      signKey,
      [`${name}@${digest}`],
      tests,
      () => (username && password ? { username, password } : undefined),
      report,
      format,
    );
    Object.assign(outputs, signed.outputs);
    summary.push(...signed.summary);
  }
  return { outputs, summary };
}
