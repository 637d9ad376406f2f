/**
 * Pushing tags with the docker CLI: login with the password on stdin into a private DOCKER_CONFIG,
 * retries with backoff on transient failures only, and the pushed digest read back from the
 * registry and compared with what docker reported.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runChecked, type Runner } from '../command/command';
import * as images from '../docker/images';
import type { DockerTarget } from '../docker/target';
import { InputError, type Inputs } from '../common/inputs';
import {
  formatReference,
  type ImageReference,
  isRegistryHost,
  parseReference,
  repositoryName,
} from '../common/reference';
import { openBlob } from '../registry/blobs';
import { readBody } from '../registry/http';
import { readImageConfigs } from '../registry/image-config';
import { isIndex, parseManifest } from '../registry/image-tree';
import { clientFor, TagConflictError } from '../registry/resolve';
import { decideTag, isSameImage, type Served, tagRules, type TagDecision } from './tag-rules';
import { retryDelayMs, sleep, type RetryPolicy } from '../common/retry';

export interface PushRequest {
  readonly references: readonly ImageReference[];
  readonly registry: string;
  readonly username?: string;
  readonly password?: string;
  readonly retries: number;
  readonly logout: boolean;
  /** Move immutable tags (the version, X.Y.Z) the registry already serves for other content. */
  readonly allowOverwrite: boolean;
  /** Tags that never move, besides those the image's labels name (its version, its release). */
  readonly immutableTags: readonly string[];
  /** GITHUB_RUN_ATTEMPT: a rerun's rebuild that differs gets its own version. */
  readonly attempt: number;
}

export function readPushRequest(inputs: Inputs): PushRequest {
  const references = inputs.parsedList('tags', (v) => parseReference(v), { required: true, commas: true });
  for (const ref of references) {
    if (ref.tag === undefined) throw new InputError('tags', `${formatReference(ref)} has no tag to push`);
  }
  const registry = inputs
    .line('registry', (references[0] as ImageReference).registry)
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  if (!isRegistryHost(registry))
    throw new InputError('registry', `${JSON.stringify(registry)} is not a registry host[:port]`);
  const username = inputs.line('username');
  const password = inputs.string('password');
  if (username && !password) throw new InputError('password', 'is required when username is given');
  if (password && !username) throw new InputError('username', 'is required when password is given');
  return {
    references,
    registry,
    ...(username && { username }),
    ...(password && { password }),
    retries: inputs.integer('retries', 3, { min: 0, max: 10 }),
    logout: inputs.boolean('logout', true),
    allowOverwrite: inputs.boolean('allow-overwrite', false),
    immutableTags: inputs.list('immutable-tags', { commas: true }).map((tag) => {
      if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag))
        throw new InputError('immutable-tags', `${JSON.stringify(tag)} is not a tag`);
      return tag;
    }),
    attempt: Number(process.env.GITHUB_RUN_ATTEMPT) || 1,
  };
}

export type FailureKind = 'transient' | 'auth' | 'permanent';

/** Decides from docker's output whether a failed push is worth retrying. Auth errors never are. */
export function classifyPushFailure(output: string): FailureKind {
  if (
    /unauthorized|authentication required|no basic auth credentials|denied|forbidden|\b401\b|\b403\b/i.test(
      output,
    )
  ) {
    return 'auth';
  }
  if (
    /\b5\d\d\b|\b429\b|\b408\b|toomanyrequests|too many requests|service unavailable|bad gateway|gateway time-?out|connection reset|broken pipe|i\/o timeout|TLS handshake timeout|unexpected EOF|\bEOF\b|connection refused/i.test(
      output,
    )
  ) {
    return 'transient';
  }
  return 'permanent';
}

/** What `docker push` printed: the manifest (or index) digest, and which layers it uploaded. */
export function parsePushOutput(output: string): {
  digest?: string;
  pushedLayers: string[];
  existingLayers: string[];
} {
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(output)?.[1];
  const pushedLayers = [...output.matchAll(/^([a-f0-9]{12}): Pushed\s*$/gm)].map((m) => m[1] as string);
  // "Already exists" is the containerd image store's word (Docker 29), "Layer already exists" the classic one's.
  const existingLayers = [...output.matchAll(/^([a-f0-9]{12}): (?:Layer a|A)lready exists\s*$/gm)].map(
    (m) => m[1] as string,
  );
  return { ...(digest && { digest }), pushedLayers, existingLayers };
}

/** A private docker config directory, so no login is left in ~/.docker on self-hosted runners. */
export function createPrivateDockerConfig(parent = process.env.RUNNER_TEMP ?? tmpdir()): string {
  const dir = mkdtempSync(join(parent, 'slipway-docker-config-'));
  chmodSync(dir, 0o700);
  return dir;
}

export function removePrivateDockerConfig(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface PushedReference {
  readonly reference: string;
  readonly digest: string;
  readonly attempts: number;
  readonly pushedLayers: readonly string[];
}

export interface PushResult {
  readonly digest: string;
  /** repository@digest, one per repository. */
  readonly refs: readonly string[];
  readonly pushed: readonly PushedReference[];
  readonly bytesPushed: number;
  readonly retriesUsed: number;
}

export interface PushHooks {
  readonly onOutput?: (chunk: string) => void;
  readonly onRetry?: (reference: string, attempt: number, delayMs: number, reason: string) => void;
}

async function pushOne(
  runner: Runner,
  target: DockerTarget,
  reference: string,
  policy: RetryPolicy,
  hooks: PushHooks,
): Promise<{ result: CommandResult; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const result = await runner.run(
      images.push(target, reference),
      hooks.onOutput && { onOutput: hooks.onOutput },
    );
    if (result.exitCode === 0) return { result, attempts: attempt };
    const output = `${result.stdout}\n${result.stderr}`;
    const kind = classifyPushFailure(output);
    const last = output.trim().split('\n').slice(-3).join('\n');
    if (kind === 'auth')
      throw new Error(`push of ${reference} was refused by the registry (not retried):\n${last}`);
    if (kind === 'permanent' || attempt > policy.retries) {
      throw new Error(`push of ${reference} failed after ${attempt} attempt(s):\n${last}`);
    }
    const delay = retryDelayMs(attempt, policy);
    hooks.onRetry?.(reference, attempt, delay, last);
    await sleep(delay);
  }
}

export async function pushAll(
  runner: Runner,
  target: DockerTarget,
  request: PushRequest,
  policy: RetryPolicy,
  hooks: PushHooks = {},
): Promise<PushResult> {
  const pushed: PushedReference[] = [];
  let retriesUsed = 0;
  for (const ref of request.references) {
    const reference = formatReference(ref);
    const { result, attempts } = await pushOne(runner, target, reference, policy, hooks);
    retriesUsed += attempts - 1;
    const parsed = parsePushOutput(result.stdout);
    const verified = await verifyPushed(ref, request);
    if (parsed.digest && parsed.digest !== verified) {
      throw new Error(`${reference}: docker pushed ${parsed.digest} but the registry serves ${verified}`);
    }
    pushed.push({ reference, digest: verified, attempts, pushedLayers: parsed.pushedLayers });
  }
  const digests = new Set(pushed.map((p) => p.digest));
  if (digests.size > 1) {
    throw new Error(
      `the tags are not one image: ${pushed.map((p) => `${p.reference} → ${p.digest}`).join(', ')}`,
    );
  }
  const digest = pushed[0]?.digest as string;
  const refs = [...new Set(request.references.map((r) => `${repositoryName(r)}@${digest}`))];
  const bytesPushed = await pushedBytes(request, pushed);
  return { digest, refs, pushed, bytesPushed, retriesUsed };
}

function credentialsFor(ref: ImageReference, request: PushRequest) {
  return request.username && request.password && ref.registry === request.registry
    ? { credentials: { username: request.username, password: request.password } }
    : {};
}

/** What the push will do: the references to push (renamed where a rerun needed its own version), and the tags left where they are. */
export interface TagPushPlan {
  readonly references: readonly ImageReference[];
  /** The build's version as pushed (its own rerun version when renamed); '' when the image records none. */
  readonly version: string;
  readonly kept: ReadonlyArray<{ readonly reference: string; readonly reason: string }>;
  readonly renamed: ReadonlyArray<{ readonly from: string; readonly to: string; readonly reason: string }>;
}

interface LocalImage {
  Id: string;
  Config?: { Labels?: Record<string, string> | null };
}

/**
 * Before anything is pushed: what the registry serves for each tag that has a rule (an immutable
 * tag, a release line), and what the push does with it (see tag-rules). Refuses, naming both
 * images, to move an immutable tag to another image.
 */
export async function planTagPush(
  runner: Runner,
  target: DockerTarget,
  request: PushRequest,
): Promise<TagPushPlan> {
  const first = request.references[0] as ImageReference;
  const local = JSON.parse(
    (await runChecked(runner, images.inspectImage(target, formatReference(first)))).stdout,
  ) as LocalImage;
  const rules = tagRules(
    local.Config?.Labels ?? {},
    request.immutableTags,
    request.attempt,
    request.allowOverwrite,
  );
  /** What the registry serves under a reference now. */
  const servedAt = async (ref: ImageReference): Promise<Served | undefined> => {
    const served = await readImageConfigs(ref, credentialsFor(ref, request));
    return (
      served && {
        digest: served.digest,
        configDigests: served.images.map((i) => i.configDigest),
        labels: served.images[0]?.labels ?? {},
      }
    );
  };
  const conflict = (ref: ImageReference, current: string, hint?: string) =>
    new TagConflictError(
      repositoryName(ref),
      ref.tag as string,
      current,
      `the local image ${local.Id}`,
      ...(hint ? [hint] : []),
    );
  // Every tag: what is served under it may name it as its own version or release.
  const decisions = await Promise.all(
    request.references.map(async (ref): Promise<TagDecision> =>
      decideTag(ref.tag as string, rules, await servedAt(ref), local.Id),
    ),
  );
  decisions.forEach((d, i) => {
    if (d.action === 'refuse') throw conflict(request.references[i] as ImageReference, d.current, d.hint);
  });
  // A rerun's own version is the version in every repository, when one of them needed it.
  const rename = decisions.find((d) => d.action === 'rename');
  const references: ImageReference[] = [];
  const kept: Array<{ reference: string; reason: string }> = [];
  const renamed: Array<{ from: string; to: string; reason: string }> = [];
  request.references.forEach((ref, i) => {
    const d = decisions[i] as TagDecision;
    if (d.action === 'keep') kept.push({ reference: formatReference(ref), reason: d.reason });
    else if (rename && ref.tag === rules.version) {
      const to = { ...ref, tag: rename.to };
      renamed.push({ from: formatReference(ref), to: formatReference(to), reason: rename.reason });
      references.push(to);
    } else references.push(ref);
  });
  // The rerun's own version names this image only: a third attempt never takes the second's.
  for (const { to } of renamed) {
    const ref = parseReference(to);
    const served = await servedAt(ref);
    if (served && !isSameImage(served, local.Id)) throw conflict(ref, served.digest);
  }
  if (references.length === 0) throw new Error('nothing to push: every tag stays where it is');
  return { references, version: rename?.to ?? rules.version ?? '', kept, renamed };
}

/** Reads the tag back from the registry: the digest it now serves. */
async function verifyPushed(ref: ImageReference, request: PushRequest): Promise<string> {
  const client = clientFor(ref.registry, credentialsFor(ref, request));
  const manifest = await client.headManifest(ref.repository, ref.tag as string);
  if (!manifest) throw new Error(`${formatReference(ref)} was pushed but the registry does not serve it`);
  return manifest.digest;
}

/**
 * Sum of the compressed sizes of the layers docker reported as uploaded, each counted once: of the
 * pushed manifest, or of every manifest under a pushed index (its platform images and attestations),
 * once per repository.
 */
async function pushedBytes(request: PushRequest, pushed: readonly PushedReference[]): Promise<number> {
  const counted = new Map<string, number>();
  for (const [i, p] of pushed.entries()) {
    if (p.pushedLayers.length === 0) continue;
    const ref = request.references[i] as ImageReference;
    const client = clientFor(ref.registry, credentialsFor(ref, request));
    const root = await client.getManifest(ref.repository, p.digest);
    const manifests = isIndex(root)
      ? await Promise.all(
          (parseManifest(root.bytes).manifests ?? []).map((d) =>
            client.getManifest(ref.repository, d.digest),
          ),
        )
      : [root];
    for (const manifest of manifests) {
      const json = parseManifest(manifest.bytes);
      // docker names layers in its progress by their uncompressed diff id (the classic store) or
      // their digest (the containerd store): map diff ids to the manifest's compressed layers,
      // index by index, through the image config.
      let diffIds: string[] = [];
      if (json.config) {
        const res = await openBlob(client, ref.repository, json.config.digest);
        const config = JSON.parse((await readBody(res, 4 * 1024 * 1024)).toString('utf8')) as {
          rootfs?: { diff_ids?: string[] };
        };
        diffIds = config.rootfs?.diff_ids ?? [];
      }
      (json.layers ?? []).forEach((layer, index) => {
        const names = [layer.digest, diffIds[index] ?? ''];
        if (p.pushedLayers.some((short) => names.some((n) => n.startsWith(`sha256:${short}`))))
          counted.set(`${repositoryName(ref)}@${layer.digest}`, layer.size);
      });
    }
  }
  return [...counted.values()].reduce((sum, size) => sum + size, 0);
}

/** Logs in to the registry inside the private config; the password goes to docker on stdin. */
export async function login(runner: Runner, target: DockerTarget, request: PushRequest): Promise<void> {
  if (!request.username || !request.password) return;
  await runChecked(runner, images.login(target, request.registry, request.username, request.password));
}
