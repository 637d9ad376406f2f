/**
 * slipway — the actions' operations from a shell, for other CI systems and laptops:
 *
 *   slipway build|test|push|promote|deploy|rollback|status [--input value …] [--json]
 *
 * Options are the actions' inputs by name. Progress goes to stderr; the outputs go to stdout as
 * `name=value` lines, or with --json as one JSON object. Exit codes: 0 done, 1 the operation failed,
 * 2 bad usage or input (nothing was run).
 */
import { readConnection, readName } from '../deploy-core/inputs';
import { statusOfHosts } from '../remote-deploy-ssh/status';
import { InputError, Inputs } from '../common/inputs';
import { runBaseCheck } from '../base-image-check/operation';
import { runBuild } from '../build-and-tag/operation';
import { runDeployOperation } from '../remote-deploy-ssh/operation';
import { runPipeline } from '../pipeline/operation';
import { runPromote } from '../promote-between-registries/operation';
import { runPush } from '../push-registry/operation';
import type { Outcome, Reporter } from '../common/reporter';
import { runTest } from '../test-in-container/operation';
import { redact } from '../common/secrets';
import { cliInputReader, parseArgs, UsageError } from './args';
import { ciEnvironment } from './git';

const USAGE = `usage: slipway <command> [--input value ...] [--json]

commands:
  build      build and tag an image (inputs of build-and-tag)
  test       run tests in an image (inputs of test-in-container)
  push       push references and verify the digest (inputs of push-registry)
  ci         build, test and push in one go (inputs of the root action)
  base-check has a base image moved since the image was built? (inputs of base-image-check)
  promote    copy an image between registries by digest (inputs of promote-between-registries)
  deploy     deploy to hosts over SSH (inputs of remote-deploy-ssh)
  rollback   deploy --rollback true
  status     what runs on each host, since when, and the last audit entries
             (--hosts --username --private-key-file --known-hosts-file --name [--audit-lines N])

Any input may also come from a file (--private-key-file key) or the environment (SLIPWAY_PRIVATE_KEY).
`;

type Operation = (inputs: Inputs, report: Reporter) => Promise<Outcome>;

async function status(inputs: Inputs): Promise<Outcome> {
  const request = readConnection(inputs);
  const name = readName(inputs);
  const lines = inputs.integer('audit-lines', 5, { min: 0, max: 1000 });
  const hosts = await statusOfHosts(request, name, lines);
  const text = hosts.map((h) =>
    [
      `${h.host}${h.error ? `: ${h.error}` : ''}`,
      ...h.containers.map(
        (c) =>
          `  ${c.state.padEnd(8)} ${c.name}  ${c.image}${c.version ? ` (${c.version})` : ''}  since ${c.since}${c.health ? `  ${c.health}` : ''}`,
      ),
      ...h.audit.map(
        (a) =>
          `  audit: ${a.time ?? ''} ${a.action ?? ''} ${a.result ?? ''} ${a.image ?? JSON.stringify(a.images ?? '')}`,
      ),
    ].join('\n'),
  );
  return {
    outputs: { hosts: JSON.stringify(hosts) },
    summary: text,
    ...(hosts.some((h) => h.error) && { error: 'some hosts could not be read' }),
  };
}

const OPERATIONS: Record<string, Operation> = {
  build: runBuild,
  test: runTest,
  push: runPush,
  ci: runPipeline,
  'base-check': runBaseCheck,
  promote: runPromote,
  deploy: runDeployOperation,
  rollback: (inputs, report) => runDeployOperation(inputs.with({ rollback: 'true' }), report),
  status: (inputs) => status(inputs),
};

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

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`slipway: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const operation = OPERATIONS[parsed.command];
  if (!operation) {
    if (parsed.command && !['help', '--help', '-h'].includes(parsed.command))
      process.stderr.write(`slipway: unknown command ${JSON.stringify(parsed.command)}\n`);
    process.stderr.write(USAGE);
    return parsed.command && !['help', '--help', '-h'].includes(parsed.command) ? 2 : 0;
  }
  Object.assign(process.env, ciEnvironment());
  const secrets: string[] = [];
  const report = terminalReporter(secrets);
  const json = (value: unknown) => process.stdout.write(`${redact(JSON.stringify(value), secrets)}\n`);
  try {
    const outcome = await operation(new Inputs(cliInputReader(parsed.values)), report);
    if (outcome.summary.length > 0) report.info(`\n${outcome.summary.join('\n\n')}`);
    if (parsed.json)
      json({
        ok: !outcome.error,
        command: parsed.command,
        outputs: outcome.outputs,
        ...(outcome.error && { error: outcome.error }),
      });
    else printOutputs(outcome.outputs);
    if (outcome.error) report.info(`slipway ${parsed.command}: ${outcome.error}`);
    return outcome.error ? 1 : 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const usage = error instanceof InputError || error instanceof UsageError;
    if (parsed.json) json({ ok: false, command: parsed.command, outputs: {}, error: message });
    report.info(`slipway ${parsed.command}: ${message}`);
    return usage ? 2 : 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
