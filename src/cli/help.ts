/** The CLI's usage texts, from the commands' options (the actions' inputs, as their action.yml says). */
import { envName } from './args';
import { COMMANDS, type CommandSpec } from './commands';
import { isSecretInput } from '../common/inputs';
import { VERSION } from './metadata';

const WIDTH = 100;
const COLUMN = 32;

function wrap(text: string, indent: number, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function entry(flag: string, text: string): string {
  const [first = '', ...rest] = wrap(text, COLUMN);
  const pad = ' '.repeat(COLUMN);
  const head = `  ${flag}`;
  const lines = head.length < COLUMN - 1 ? [`${head.padEnd(COLUMN)}${first}`] : [head, `${pad}${first}`];
  return [...lines, ...rest.map((l) => `${pad}${l}`)].join('\n');
}

/** `slipway help <command>`: every option with its description, default, and whether it is required. */
export function commandHelp(name: string, spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([option, meta]) => {
    const secret = isSecretInput(option);
    const boolean = meta.default === 'true' || meta.default === 'false';
    const flag = secret
      ? `--${option}-file <path>`
      : boolean
        ? `--${option}[=true|false]`
        : `--${option} <value>`;
    const notes = [
      meta.required && 'required',
      meta.default !== undefined && meta.default !== '' && `default: ${meta.default}`,
      secret && `secret: from a file or ${envName(option)}, never as an argument`,
    ].filter(Boolean);
    return entry(flag, `${meta.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
  });
  return [
    `usage: slipway ${name}${spec.operand ? ` [${spec.operand.toUpperCase()}]` : ''} [options] [--json]`,
    '',
    ...wrap(spec.description, 0),
    '',
    'options:',
    ...options,
    entry('--json', 'Print the outcome as one JSON object {"ok", "command", "outputs", "error"} on stdout.'),
    entry('-h, --help', 'Show this help.'),
    '',
    ...wrap(
      'Every option may also come from a file (--<option>-file <path>) or the environment (SLIPWAY_<OPTION>, e.g. SLIPWAY_HEALTH_TIMEOUT). A repeated option adds a line. Exit codes: 0 done, 1 the operation failed, 2 bad usage or input (nothing ran).',
      0,
    ),
    '',
  ].join('\n');
}

/** `slipway help`: the commands. */
export function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  return [
    `slipway ${VERSION}: build, test, push, promote and deploy Docker images`,
    '',
    'usage: slipway <command> [options] [--json]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)} ${spec.summary}`),
    `  ${'help'.padEnd(width)} slipway help <command>: a command's options`,
    `  ${'version'.padEnd(width)} the version of slipway`,
    '',
    "Options are the actions' inputs by name. Secrets come from a file (--private-key-file key) or the",
    'environment (SLIPWAY_PRIVATE_KEY), never from the arguments.',
    '',
  ].join('\n');
}
