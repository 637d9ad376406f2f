/**
 * The inputs the two stack modes of remote-deploy-ssh share (a Compose project on each host, or a
 * Swarm stack): the `images` lines, the stack file and the registry the hosts log in to.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, type Inputs } from '../common/inputs';
import { parseReference } from '../common/reference';
import { checkSameTag, checkStack, ComposeFileError, type StackImage } from './compose-file';
import type { Connection } from '../deploy-core/inputs';

/** `service=registry/repo:tag` */
export function parseStackImage(line: string): StackImage {
  const eq = line.indexOf('=');
  if (eq <= 0) throw new Error(`each line must be service=image, got ${JSON.stringify(line)}`);
  const service = line.slice(0, eq).trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(service))
    throw new Error(`${JSON.stringify(service)} is not a service name`);
  return { service, image: parseReference(line.slice(eq + 1).trim()) };
}

export function readStackImages(inputs: Inputs): StackImage[] {
  const images = inputs.parsedList('images', parseStackImage);
  const seen = new Set<string>();
  for (const { service } of images) {
    if (seen.has(service)) throw new InputError('images', `service ${service} is given more than once`);
    seen.add(service);
  }
  if (inputs.boolean('require-same-tag', false)) {
    try {
      checkSameTag(images);
    } catch (error) {
      throw new InputError('images', (error as Error).message);
    }
  }
  return images;
}

/**
 * The registry the hosts log in to for a stack: the `registry` input, else the one registry all
 * the images come from (with several, the input must say which).
 */
export function stackRegistry(connection: Connection, images: readonly StackImage[]): string | undefined {
  if (connection.registry) return connection.registry;
  const registries = [...new Set(images.map((i) => i.image.registry))];
  if (registries.length > 1 && connection.registryPassword)
    throw new InputError(
      'registry',
      `is required with registry-password: the images come from ${registries.join(', ')}`,
    );
  return registries[0];
}

/** Reads a compose/stack file of the repository and checks it against the images. */
export function readStackFile(
  inputs: Inputs,
  name: 'compose-file' | 'stack-file',
  images: readonly StackImage[],
): { file: string; text: string } {
  const file = inputs.line(name);
  let text: string;
  try {
    text = readFileSync(resolve(process.env.GITHUB_WORKSPACE ?? '.', file), 'utf8');
  } catch (error) {
    throw new InputError(name, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    checkStack(text, images);
  } catch (error) {
    if (error instanceof ComposeFileError) throw new InputError(name, `${file} ${error.message}`);
    throw error;
  }
  return { file, text };
}

export const NOT_FOR_STACKS = [
  'image',
  'volumes',
  'port',
  'publish',
  'pre-deploy',
  'network',
  'health-path',
  'health-cmd',
];
