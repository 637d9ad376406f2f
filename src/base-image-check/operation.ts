/**
 * Has any base image moved since an image was built? The image records its bases with their
 * digests (a label set by build-and-tag); each is resolved again now. A scheduled workflow rebuilds
 * when one moved: security fixes in a base reach production without waiting for a commit. An index
 * (a multi-platform build, or Docker 29's plain build with its attestation manifest) records them in
 * each platform's image: the bases of all of them are checked.
 */
import { BASE_IMAGES_LABEL, parseBaseLabel } from '../build-and-tag/build';
import { InputError, type Inputs } from '../common/inputs';
import { parseReference } from '../common/reference';
import { type ImageConfigs, readImageConfigs } from '../registry/image-config';
import { resolveDigest } from '../registry/resolve';
import { Code, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';

/** The bases every platform image records, each reference@digest once, in the order first seen. */
export function recordedBases(config: ImageConfigs): Array<{ reference: string; digest: string }> {
  const bases = new Map<string, { reference: string; digest: string }>();
  for (const image of config.images)
    for (const base of parseBaseLabel(image.labels[BASE_IMAGES_LABEL]))
      bases.set(`${base.reference}@${base.digest}`, base);
  return [...bases.values()];
}

export async function runBaseCheck(inputs: Inputs, report: Reporter): Promise<Outcome> {
  report.mask(inputs.string('password'));
  const image = inputs.parsed('image', (v) => parseReference(v));
  if (!image) inputs.required('image');
  const ref = image as NonNullable<typeof image>;
  const username = inputs.line('username');
  const password = inputs.string('password');
  if (password && !username) throw new InputError('username', 'is required with password');
  const credentials = username && password ? { credentials: { username, password } } : {};
  const config = await readImageConfigs(ref, credentials);
  if (!config) {
    report.info(`${inputs.string('image')} does not exist: a build is needed`);
    return {
      outputs: { changed: 'true', bases: '[]', reason: 'image-missing' },
      summary: [heading('No earlier image: build')],
    };
  }
  if (config.index)
    report.info(
      `${inputs.string('image')} is an index (${config.digest}): reading the bases its platform images record (${config.images.map((i) => i.platform).join(', ') || 'none'})`,
    );
  const recorded = recordedBases(config);
  if (recorded.length === 0) {
    report.info(
      `${inputs.string('image')} records no base images (label ${BASE_IMAGES_LABEL}): a build is needed`,
    );
    return {
      outputs: { changed: 'true', bases: '[]', reason: 'no-record' },
      summary: [heading('Base images unknown: build')],
    };
  }
  // Bases are public images or in the same registry: the same credentials only for the same registry.
  const bases = await Promise.all(
    recorded.map(async (b) => {
      const base = parseReference(b.reference);
      const now = await resolveDigest(base, base.registry === ref.registry ? credentials : {}).catch(
        (error: Error) => {
          report.warning(`${b.reference}: ${error.message}`);
          return undefined;
        },
      );
      return {
        reference: b.reference,
        built: b.digest,
        now: now ?? null,
        changed: Boolean(now && now !== b.digest),
      };
    }),
  );
  const changed = bases.some((b) => b.changed);
  for (const b of bases)
    report.info(
      `${b.reference}: ${b.changed ? `moved ${b.built} → ${b.now}` : b.now ? 'unchanged' : 'could not be resolved now'}`,
    );
  return {
    outputs: {
      changed: String(changed),
      bases: JSON.stringify(bases),
      reason: changed ? 'base-moved' : 'up-to-date',
    },
    summary: [
      heading(changed ? `A base image of ${inputs.string('image')} moved: rebuild` : 'Base images unchanged'),
      table(
        ['Base', 'At the last build', 'Now'],
        bases.map((b) => [new Code(b.reference), new Code(b.built), b.now ? new Code(b.now) : '—']),
      ),
    ],
  };
}
