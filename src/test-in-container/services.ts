/** The `services` input of test-in-container: a YAML list of service containers, strictly checked. */
import { parse } from 'yaml';
import { InputError } from '../common/inputs';
import { formatReference, parseReference } from '../common/reference';
import { hasControlCharacter } from '../common/text';

export interface ServiceSpec {
  readonly name: string;
  readonly image: string;
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly healthCmd?: string;
  readonly port?: number;
}

const KEYS = ['name', 'image', 'env', 'health-cmd', 'port'];
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseServices(text: string, input = 'services'): ServiceSpec[] {
  if (text.trim() === '') return [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new InputError(input, `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(doc))
    throw new InputError(input, 'must be a YAML list of services (- name: …, image: …)');
  const names = new Set<string>();
  return doc.map((item: unknown, index) => {
    const where = `service ${index + 1}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new InputError(input, `${where} must be a mapping with name and image`);
    }
    const entry = item as Record<string, unknown>;
    for (const key of Object.keys(entry)) {
      if (!KEYS.includes(key))
        throw new InputError(
          input,
          `${where}: unknown key ${JSON.stringify(key)} (known: ${KEYS.join(', ')})`,
        );
    }
    const name = entry.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InputError(
        input,
        `${where}: name must be a lowercase DNS label (a-z, 0-9, -), got ${JSON.stringify(name)}`,
      );
    }
    if (names.has(name)) throw new InputError(input, `service ${name} is listed twice`);
    names.add(name);
    if (typeof entry.image !== 'string') throw new InputError(input, `service ${name}: image is required`);
    let image: string;
    try {
      image = formatReference(parseReference(entry.image));
    } catch (error) {
      throw new InputError(input, `service ${name}: ${(error as Error).message}`);
    }
    const env: Array<[string, string]> = [];
    if (entry.env !== undefined) {
      if (typeof entry.env !== 'object' || entry.env === null || Array.isArray(entry.env)) {
        throw new InputError(input, `service ${name}: env must be a mapping of NAME: value`);
      }
      for (const [key, value] of Object.entries(entry.env as Record<string, unknown>)) {
        if (!ENV_NAME.test(key))
          throw new InputError(input, `service ${name}: ${JSON.stringify(key)} is not a valid variable name`);
        if (typeof value === 'object' && value !== null)
          throw new InputError(input, `service ${name}: env ${key} must be a scalar`);
        env.push([key, String(value ?? '')]);
      }
    }
    const spec: { -readonly [K in keyof ServiceSpec]: ServiceSpec[K] } = { name, image, env };
    if (entry['health-cmd'] !== undefined) {
      const cmd = entry['health-cmd'];
      if (typeof cmd !== 'string' || cmd.trim() === '' || hasControlCharacter(cmd)) {
        throw new InputError(input, `service ${name}: health-cmd must be a single-line command`);
      }
      spec.healthCmd = cmd;
    }
    if (entry.port !== undefined) {
      const port = entry.port;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        throw new InputError(
          input,
          `service ${name}: port must be a number from 1 to 65535, got ${JSON.stringify(port)}`,
        );
      }
      spec.port = port;
    }
    return spec;
  });
}
