/**
 * slipway — the actions' operations from a shell, for other CI systems and laptops:
 *
 *   slipway <command> [--input value …] [--json]      slipway help [<command>]      slipway --version
 *
 * Options are the actions' inputs by name, checked against the command's inputs before anything runs.
 * Progress and summaries (as plain text) go to stderr; the outputs go to stdout as `name=value` lines,
 * or with --json as one JSON object. Exit codes: 0 done, 1 the operation failed, 2 bad usage or input
 * (nothing was run).
 */
import { exposeGc } from '../common/gc';
import { InputError, Inputs } from '../common/inputs';
import type { Reporter } from '../common/reporter';
import { redact } from '../common/secrets';
import { cliInputReader, closest, parseArgs, UsageError, wantsHelp } from './args';
import { COMMANDS, commandNamed } from './commands';
import { ciEnvironment } from './git';
import { commandHelp, generalHelp } from './help';
import { VERSION } from './metadata';
import { summaryText } from './render';
import { collectWith } from '../registry/memory';

function terminalReporter(secrets: string[]): Reporter {
  const write = (text: string) => process.stderr.write(`${redact(text, secrets)}\n`);
  return {
    info: write,
    warning: (line) => write(`warning: ${line}`),
    annotate: (message, where) =>
      write(
        `error: ${where.title ?? ''}${where.file ? ` (${where.file}${where.line ? `:${where.line}` : ''})` : ''}: ${message}`,
      ),
    async group(title, work) {
      write(`== ${title}`);
      return work();
    },
    stream: (chunk) => process.stderr.write(redact(chunk.toString(), secrets)),
    mask: (secret) => {
      if (secret) secrets.push(secret, ...secret.split(/\r?\n/).filter((l) => l.trim().length >= 4));
    },
    saveState: () => {},
    readState: () => '',
    exportVariable: (name, value) => write(`the next commands need: export ${name}=${value}`),
  };
}

function printOutputs(outputs: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(outputs)) {
    process.stdout.write(`${name}=${value.includes('\n') ? JSON.stringify(value) : value}\n`);
  }
}

function usageError(message: string, command?: string): number {
  const hint = command
    ? `run 'slipway help ${command}' for its options`
    : "run 'slipway help' for the commands";
  process.stderr.write(`slipway${command ? ` ${command}` : ''}: ${message}\n${hint}\n`);
  return 2;
}

function unknownCommand(name: string): number {
  const near = closest(name, Object.keys(COMMANDS));
  return usageError(`unknown command ${JSON.stringify(name)}${near ? ` (did you mean ${near}?)` : ''}`);
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command = '', ...rest] = argv;
  if (command === '--version' || command === 'version' || command === '-V') {
    process.stdout.write(`slipway ${VERSION}\n`);
    return 0;
  }
  if (command === '' || command === 'help' || command === '--help' || command === '-h') {
    const topic = rest.find((a) => !a.startsWith('-'));
    if (!topic) {
      process.stdout.write(generalHelp());
      return 0;
    }
    const found = commandNamed(topic);
    if (!found) return unknownCommand(topic);
    process.stdout.write(commandHelp(found.name, found.spec));
    return 0;
  }
  const found = commandNamed(command);
  if (!found) return unknownCommand(command);
  const { spec } = found;
  if (wantsHelp(rest)) {
    process.stdout.write(commandHelp(found.name, spec));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs(rest, Object.keys(spec.options), spec.operand);
  } catch (error) {
    return usageError((error as Error).message, command);
  }
  Object.assign(process.env, ciEnvironment());
  const secrets: string[] = [];
  const report = terminalReporter(secrets);
  const json = (value: unknown) => process.stdout.write(`${redact(JSON.stringify(value), secrets)}\n`);
  const out = (text: string) => process.stdout.write(redact(text, secrets));
  try {
    const outcome = await spec.run(new Inputs(cliInputReader(parsed.values)), report, out);
    if (outcome.summary.length > 0) report.info(`\n${outcome.summary.map(summaryText).join('\n\n')}\n`);
    if (parsed.json)
      json({
        ok: !outcome.error,
        command,
        outputs: outcome.outputs,
        ...(outcome.error && { error: outcome.error }),
      });
    else printOutputs(outcome.outputs);
    if (outcome.error) report.info(`slipway ${command}: ${outcome.error}`);
    return outcome.error ? (outcome.exitCode ?? 1) : 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const usage = error instanceof InputError || error instanceof UsageError;
    if (parsed.json) json({ ok: false, command, outputs: {}, error: message });
    report.info(`slipway ${command}: ${message}`);
    return usage ? 2 : 1;
  }
}

// Blobs streamed through this process are collected as they go (src/registry/memory.ts).
collectWith(exposeGc);
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
