/**
 * The CLI's commands: which operation each runs and which options it takes. The options of the
 * commands that run an action are that action's inputs, from the same action.yml (src/cli/metadata.ts,
 * generated); status and logs take the connection inputs of remote-deploy-ssh and a few of their own.
 */
import { readConnection, readName } from '../deploy-core/inputs';
import { logsOfHosts, readLogsOptions } from '../remote-deploy-ssh/logs';
import { type HostStatus, statusOfHosts } from '../remote-deploy-ssh/status';
import { withPromotions, withVariants, withVerification } from '../remote-deploy-ssh/ledger';
import { needsHostPlatforms } from '../deploy-core/verify';
import { InputError, type Inputs } from '../common/inputs';
import { runBaseCheck } from '../base-image-check/operation';
import { runBuild } from '../build-and-tag/operation';
import { runDeployOperation } from '../remote-deploy-ssh/operation';
import { runRemoteOperation } from '../remote-deploy-ssh/dispatch';
import { runRemoveOperation } from '../remote-deploy-ssh/remove';
import { describeFreeze } from '../deploy-core/freeze';
import { LOCK_ACTIONS, type LockAction, runLockOperation } from '../remote-deploy-ssh/lock';
import { runExecOperation } from '../remote-deploy-ssh/exec';
import { runMaintenanceOperation } from '../remote-deploy-ssh/maintenance';
import { abortOnSignals } from '../common/cancel';
import { runMerge } from '../merge-by-digest/operation';
import { runPipeline } from '../pipeline/operation';
import { runPromote } from '../promote-between-registries/operation';
import { runPush } from '../push-registry/operation';
import type { Outcome, Reporter } from '../common/reporter';
import { runTest } from '../test-in-container/operation';
import { ACTION_METADATA, type InputMetadata } from './metadata';
import { runAttest, runSign, runVerify } from '../supply-chain/operation';

/** Ctrl-C cancels a deploy cleanly (locks released, nothing half-switched); a second one exits at once. */
function cancelOnCtrlC(report: Reporter): AbortSignal {
  return abortOnSignals((line) => report.warning(`${line} (Ctrl-C again to quit now)`), {
    exitOnSecond: true,
  });
}

/** What a command does with its inputs; `out` is the command's data stream (stdout). */
export type Operation = (inputs: Inputs, report: Reporter, out: (text: string) => void) => Promise<Outcome>;

export interface CommandSpec {
  readonly summary: string;
  /** The longer description at the top of its help. */
  readonly description: string;
  readonly options: Readonly<Record<string, InputMetadata>>;
  /** The input a bare first word gives (`slipway verify IMAGE`). */
  readonly operand?: string;
  readonly run: Operation;
}

function inputsOf(action: string, leaveOut: readonly string[] = []): Record<string, InputMetadata> {
  const inputs = { ...(ACTION_METADATA[action]?.inputs ?? {}) };
  for (const name of leaveOut) delete inputs[name];
  return inputs;
}

/** Inputs of remote-deploy-ssh's other operations: commands of their own in the CLI. */
const DAY_TWO_INPUTS = [
  'operation',
  'message',
  'command',
  'exec-on',
  'maintenance',
  'maintenance-page',
  'retry-after',
];

/** The inputs of remote-deploy-ssh that reach the hosts, and the service name (required here). */
function connectionOptions(): Record<string, InputMetadata> {
  const deploy = inputsOf('remote-deploy-ssh');
  const names = [
    'hosts',
    'username',
    'private-key',
    'passphrase',
    'known-hosts',
    'insecure-ignore-host-key',
    'jump-host',
  ];
  const options: Record<string, InputMetadata> = {};
  for (const name of names) if (deploy[name]) options[name] = deploy[name];
  options.name = {
    description: 'Service name (as deployed; a compose project or Swarm service of that name too).',
    required: true,
  };
  return options;
}

/** One block of text per host: its containers (state, image, version, since when) and audit entries. */
export function formatStatus(hosts: readonly HostStatus[]): string[] {
  return hosts.map((h) =>
    [
      `${h.host}${h.platform ? ` (${h.platform})` : ''}${h.error ? `: ${h.error}` : h.containers.length === 0 ? ': nothing of this service runs here' : ''}`,
      ...(h.freeze ? [`  deploys ${describeFreeze(h.freeze)}`] : []),
      ...(h.maintenance ? [`  in maintenance since ${h.maintenance.time} (by ${h.maintenance.holder})`] : []),
      ...h.containers.flatMap((c) => [
        `  ${c.state.padEnd(8)} ${c.name}  ${c.image}${c.version ? ` (${c.version})` : ''}  since ${c.since}${c.health ? `  ${c.health}` : ''}`,
        ...(c.verified !== undefined
          ? [`           ${c.verified ? 'verified' : 'NOT VERIFIED'}${c.tests ? `: ${c.tests}` : ''}`]
          : []),
        ...(c.variant
          ? [
              `           runs the ${c.variant.platform} image${c.variant.digest ? ` ${c.variant.digest}` : ''}: ${c.variant.detail}`,
            ]
          : []),
        ...(c.promoted ? [`           ${c.promoted}`] : []),
        ...(c.run ? [`           deployed by ${c.run}`] : []),
      ]),
      ...h.audit.map(
        (a) =>
          `  audit: ${a.time ?? ''} ${a.action ?? ''} ${a.result ?? ''} ${a.image ?? JSON.stringify(a.images ?? '')}`,
      ),
    ].join('\n'),
  );
}

/** Why a status is a failure: hosts that could not be read, or a service that exists on none of them. */
export function statusError(hosts: readonly HostStatus[], name: string): string | undefined {
  if (hosts.some((h) => h.error)) return 'some hosts could not be read';
  if (hosts.every((h) => h.containers.length === 0))
    return `no service named ${name} on ${hosts.length === 1 ? 'the host' : `any of the ${hosts.length} hosts`}`;
  return undefined;
}

async function status(inputs: Inputs): Promise<Outcome> {
  const request = readConnection(inputs);
  const name = readName(inputs);
  const lines = inputs.integer('audit-lines', 5, { min: 0, max: 1000 });
  const hosts = await withPromotions(
    await withVariants(await withVerification(await statusOfHosts(request, name, lines), request), request),
    request,
  );
  const error =
    statusError(hosts, name) ??
    (hosts.some((h) => h.containers.some((c) => c.verified === false))
      ? 'a running image does not verify with verify-key'
      : needsHostPlatforms(request.verify) &&
          hosts.some((h) => h.containers.some((c) => c.variant?.tested === 'no'))
        ? 'a host runs a platform image without a PASSED test result (require-attestations: test-result)'
        : undefined);
  return { outputs: { hosts: JSON.stringify(hosts) }, summary: formatStatus(hosts), ...(error && { error }) };
}

async function logs(inputs: Inputs, _report: Reporter, out: (text: string) => void): Promise<Outcome> {
  const request = readConnection(inputs);
  const name = readName(inputs);
  const options = readLogsOptions(inputs);
  const several = request.hosts.length > 1;
  // Ctrl-C while following ends the remote processes and closes the sessions before exiting.
  const interrupt = new AbortController();
  const stop = () => interrupt.abort();
  process.once('SIGINT', stop);
  const hosts = await logsOfHosts(request, name, { ...options, signal: interrupt.signal }, (l) =>
    out(`${several ? `${l.host} ` : ''}${l.container} | ${l.line}\n`),
  ).finally(() => process.off('SIGINT', stop));
  const failed = hosts.filter((h) => h.error);
  return {
    outputs: {},
    summary: failed.map((h) => `${h.host}: ${h.error}`),
    ...(failed.length > 0 && {
      error: failed.length === hosts.length ? `no logs of ${name} could be read` : 'some hosts gave no logs',
    }),
  };
}

/** The image and registry login of sign, attest and verify, and the inputs they share with an action. */
function imageOptions(action: string, names: readonly string[]): Record<string, InputMetadata> {
  const from = inputsOf(action);
  const options: Record<string, InputMetadata> = {
    image: {
      description:
        'The image, registry/repository:tag or @sha256:… (the tag is resolved to its digest first).',
      required: true,
    },
  };
  for (const name of names) if (from[name]) options[name] = from[name];
  options.username = { description: "User name for the image's registry.", required: false };
  options.password = { description: "Password or token for the image's registry.", required: false };
  return options;
}

/** A command that runs an action's operation with that action's inputs as its options. */
function actionCommand(action: string, summary: string, run: Operation): CommandSpec {
  return {
    summary: `${summary} (inputs of ${action === 'slipway' ? 'the root action' : action})`,
    description: ACTION_METADATA[action]?.description ?? '',
    options: inputsOf(action),
    run,
  };
}

/** The inputs that say which signatures and attestations an image must carry (verify and status). */
const VERIFY_OPTIONS = [
  'verify-key',
  'require-attestations',
  'trusted-root',
  'certificate-identity',
  'certificate-identity-regexp',
  'certificate-oidc-issuer',
  'require-transparency-log',
] as const;

/** Other names a command answers to: `ci` was the one-step pipeline's first name. */
export const ALIASES: Readonly<Record<string, string>> = { ci: 'pipeline' };

/** The command a name (or an alias) stands for. */
export function commandNamed(name: string): { name: string; spec: CommandSpec } | undefined {
  const canonical = ALIASES[name] ?? name;
  const spec = COMMANDS[canonical];
  return spec ? { name: canonical, spec } : undefined;
}

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  build: actionCommand('build-and-tag', 'build and tag an image', (inputs, report) =>
    runBuild(inputs, report),
  ),
  test: actionCommand('test-in-container', 'run tests in an image', runTest),
  push: actionCommand('push-registry', 'push references and verify the digest', runPush),
  pipeline: actionCommand('slipway', 'build, test and push in one go', runPipeline),
  merge: actionCommand(
    'merge-by-digest',
    'assemble a multi-platform index from per-platform digests',
    runMerge,
  ),
  'base-check': actionCommand(
    'base-image-check',
    'has a base image moved since the image was built?',
    runBaseCheck,
  ),
  promote: actionCommand(
    'promote-between-registries',
    'copy an image between registries by digest',
    (inputs, report) => runPromote(inputs, report, cancelOnCtrlC(report)),
  ),
  // Every operation of the action (--operation lock-acquire…); lock and exec are the same as commands of their own.
  deploy: actionCommand('remote-deploy-ssh', 'deploy to hosts over SSH', (inputs, report) =>
    runRemoteOperation(inputs, report, cancelOnCtrlC(report)),
  ),
  rollback: {
    summary: 'put the previous version back in service (deploy --rollback true)',
    description:
      'Put the previous version of a service back in service on every host (remote-deploy-ssh with rollback: true); with --force even while deploys are frozen.',
    options: inputsOf('remote-deploy-ssh', ['rollback', ...DAY_TWO_INPUTS]),
    run: (inputs, report) =>
      runDeployOperation(inputs.with({ rollback: 'true' }), report, cancelOnCtrlC(report)),
  },
  remove: {
    summary: 'remove a service from its hosts: its routes, containers and networks (volumes kept)',
    description:
      "Remove a single-container service from every host: its routes leave the host's shared proxy (other services keep serving), then its containers (every kept version, its own proxy) and networks are removed, under the service's deploy lock. Its volumes, audit log and the shared proxy stay.",
    options: {
      ...connectionOptions(),
      'lock-timeout': inputsOf('remote-deploy-ssh')['lock-timeout'] as InputMetadata,
    },
    run: (inputs, report) => runRemoveOperation(inputs, report, cancelOnCtrlC(report)),
  },
  lock: {
    summary: 'freeze deploys of a service: lock acquire --message "…", lock release, lock status',
    description:
      "Freeze deploys of a service on every host (remote-deploy-ssh's operation lock-acquire): 'slipway lock acquire --message \"why\"' waits for a deploy in progress (lock-timeout), then every deploy, removal and rollback (unless --force) is refused with who froze it, when and why, until 'slipway lock release' (whoever froze it). A freeze never expires and survives reboots (~/.slipway/<service>/freeze.json on each host); 'slipway lock status' and 'slipway status' show it.",
    options: {
      action: { description: 'acquire, release or status.', required: true },
      ...connectionOptions(),
      message: inputsOf('remote-deploy-ssh').message as InputMetadata,
      'lock-timeout': inputsOf('remote-deploy-ssh')['lock-timeout'] as InputMetadata,
    },
    operand: 'action',
    run: (inputs, report) => {
      if (!inputs.string('action')) inputs.required('action');
      const action = inputs.oneOf('action', LOCK_ACTIONS, 'status');
      if (action !== 'acquire' && inputs.string('message'))
        throw new InputError('message', 'is only used with lock acquire');
      return runLockOperation(action as LockAction, inputs, report, cancelOnCtrlC(report));
    },
  },
  exec: {
    summary: 'run a one-off command in the version that serves (its image, env, secrets, volumes, networks)',
    description:
      "Run a command (sh -c) in a one-off container of the version of a single-container service that serves on a host: its image, environment and secrets (copied on the host), volumes and networks. On the first host, a chosen one (--exec-on HOST) or each in turn (--exec-on each). From a terminal it gets a TTY and your keyboard (a console: --command 'bin/rails console'); otherwise its output streams to stdout and stderr. Exits with the command's exit code; audited on the host (who, the command, the version, the exit code). Ctrl-C (without a TTY) removes the container.",
    options: {
      ...connectionOptions(),
      command: inputsOf('remote-deploy-ssh').command as InputMetadata,
      'exec-on': inputsOf('remote-deploy-ssh')['exec-on'] as InputMetadata,
    },
    run: (inputs, report, out) =>
      runExecOperation(
        inputs,
        report,
        {
          out,
          err: (chunk) => report.stream(chunk),
          tty: Boolean(process.stdin.isTTY && process.stdout.isTTY),
        },
        cancelOnCtrlC(report),
      ),
  },
  maintenance: {
    summary: 'put a service in maintenance: the proxy answers 503 with a page, the app is stopped',
    description:
      "Put a single-container service in maintenance on every host, under its deploy lock: a maintenance page (503, Retry-After; --maintenance-page-file for your own HTML) takes the app's place behind the proxy (its own or the shared one, without a reload), then the app leaves service and stops, so no request reaches it. Deploys and rollbacks are refused until 'slipway live'.",
    options: {
      ...connectionOptions(),
      ...Object.fromEntries(
        ['port', 'maintenance-page', 'retry-after', 'proxy-image', 'lock-timeout'].map((n) => [
          n,
          inputsOf('remote-deploy-ssh')[n] as InputMetadata,
        ]),
      ),
    },
    run: (inputs, report) => runMaintenanceOperation('maintenance', inputs, report, cancelOnCtrlC(report)),
  },
  live: {
    summary: 'end maintenance: the app back in service once healthy, then the page away',
    description:
      "End a service's maintenance on every host, under its deploy lock: the version maintenance stopped starts again, passes its health check (health-path, else its own), joins service, and only then does the maintenance page leave.",
    options: {
      ...connectionOptions(),
      ...Object.fromEntries(
        ['port', 'health-path', 'health-timeout', 'lock-timeout'].map((n) => [
          n,
          inputsOf('remote-deploy-ssh')[n] as InputMetadata,
        ]),
      ),
    },
    run: (inputs, report) => runMaintenanceOperation('live', inputs, report, cancelOnCtrlC(report)),
  },
  sign: {
    summary:
      'sign an image digest with sign-key (stored where cosign looks), and attest its tests when given',
    description:
      "Sign an image's digest with a private key (cosign's encrypted cosign.key, or a PEM private key) in cosign's format: by default as cosign v3 does (a Sigstore bundle stored as an OCI referrer of the digest), with signature-format legacy as cosign v2 did (<repo>:sha256-<hex>.sig), next to the signatures already there; with test-report or test-exit-code also attest the test results (in-toto test-result, DSSE).",
    options: imageOptions('push-registry', [
      'sign-key',
      'sign-key-password',
      'signature-format',
      'test-report',
      'test-exit-code',
      'test-command',
    ]),
    operand: 'image',
    run: runSign,
  },
  attest: {
    summary: "attest an image's test results (in-toto test-result, signed in DSSE)",
    description:
      'Attest the test results of an image digest (a JUnit report, an exit code, the command) as an in-toto test-result statement in a DSSE envelope signed with sign-key, stored as a Sigstore bundle referrer (signature-format bundle, the default) or as <repo>:sha256-<hex>.att (legacy); cosign verify-attestation reads both.',
    options: imageOptions('push-registry', [
      'sign-key',
      'sign-key-password',
      'signature-format',
      'test-report',
      'test-exit-code',
      'test-command',
    ]),
    operand: 'image',
    run: runAttest,
  },
  verify: {
    summary: "verify an image's signature and attestations with verify-key",
    description:
      "Verify that an image's digest carries a signature by one of the public keys and the required attestations (a test-result only when PASSED), read from Sigstore bundles among its referrers (cosign v3) and from the legacy .sig/.att tags (cosign v2) alike; fails naming the digest and what is missing.",
    options: imageOptions('promote-between-registries', VERIFY_OPTIONS),
    operand: 'image',
    run: runVerify,
  },
  status: {
    summary: 'what runs on each host, since when, and the last audit entries',
    description:
      "What runs of a service on each host: its containers (or compose project's, or Swarm tasks), their image and version, since when, the run that deployed them, and the last entries of the host's audit log; each host's platform and, for an index, the platform image its engine runs and whether that image was tested (a PASSED test result signed by verify-key; unknown without verify-key); with verify-key also whether each running digest verifies and the test run its attestation names. Fails when the service runs on no host (or, with verify-key, a running image does not verify; with require-attestations test-result, a host runs a platform image without a PASSED test result).",
    options: {
      ...connectionOptions(),
      ...Object.fromEntries(
        [...VERIFY_OPTIONS, 'registry', 'registry-username', 'registry-password'].map((n) => [
          n,
          inputsOf('remote-deploy-ssh')[n] as InputMetadata,
        ]),
      ),
      'audit-lines': { description: 'Audit log entries to show per host.', required: false, default: '5' },
    },
    run: (inputs) => status(inputs),
  },
  logs: {
    summary: "a service's container logs on each host",
    description:
      'The logs of the running containers of a service on each host, one line each, prefixed with the container (and the host when there are several), on stdout; on a Swarm manager, of every task of the service and its proxy, on every node.',
    options: {
      ...connectionOptions(),
      since: {
        description:
          'Only lines since a time ago (10m, 1h30m), a Unix time or a date (2026-11-22T10:00:00Z).',
        required: false,
      },
      tail: {
        description: 'Lines to show from the end of each log (all for every line).',
        required: false,
        default: '100',
      },
      follow: {
        description: 'Keep following the logs until the containers stop or you interrupt (Ctrl-C).',
        required: false,
        default: 'false',
      },
    },
    run: logs,
  },
};
