/**
 * Docker Swarm commands as data: services, stacks and configs, run on a manager. Images are always
 * given by digest (`--no-resolve-image`: the manager never re-resolves a tag), and updates start the
 * new task before stopping the old one and roll back on failure.
 */
import type { Command } from '../command/command';
import { dockerCommand as cmd, type DockerTarget, labelFlags } from '../docker/target';

export function swarmInfo(target: DockerTarget): Command {
  return cmd(target, ['info', '--format', '{{json .Swarm}}']);
}

export interface UpdatePolicy {
  readonly parallelism: number;
  /** How long Swarm watches each new task for failure before going on. */
  readonly monitorSeconds: number;
}

function updateFlags(policy: UpdatePolicy): string[] {
  return [
    '--update-order',
    'start-first',
    '--update-failure-action',
    'rollback',
    '--update-parallelism',
    String(policy.parallelism),
    '--update-monitor',
    `${policy.monitorSeconds}s`,
    '--rollback-order',
    'start-first',
    '--rollback-parallelism',
    String(policy.parallelism),
  ];
}

export interface ServiceSpec {
  readonly name: string;
  /** repo@sha256:… */
  readonly image: string;
  readonly replicas?: number;
  readonly network: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly healthCmd?: string;
  readonly withRegistryAuth: boolean;
  readonly policy: UpdatePolicy;
}

/**
 * The first deploy. DNS round robin instead of a virtual IP: no IPVS needed on the nodes, and the
 * proxy in front spreads requests over the tasks itself.
 */
export function serviceCreate(target: DockerTarget, spec: ServiceSpec): Command {
  const args = ['service', 'create', '--detach', '--no-resolve-image', '--name', spec.name];
  args.push('--replicas', String(spec.replicas ?? 1));
  args.push('--network', spec.network, '--endpoint-mode', 'dnsrr');
  args.push(...labelFlags(spec.labels));
  for (const [k, v] of spec.env) args.push('--env', `${k}=${v}`);
  if (spec.healthCmd)
    args.push('--health-cmd', spec.healthCmd, '--health-interval', '2s', '--health-retries', '3');
  args.push(...updateFlags(spec.policy));
  if (spec.withRegistryAuth) args.push('--with-registry-auth');
  args.push(spec.image);
  return cmd(target, args, { label: `docker service create ${spec.name}` });
}

/** Every later deploy: a rolling update to the pinned digest. */
export function serviceUpdate(target: DockerTarget, spec: ServiceSpec): Command {
  const args = ['service', 'update', '--detach', '--no-resolve-image', '--image', spec.image];
  if (spec.replicas !== undefined) args.push('--replicas', String(spec.replicas));
  args.push(...labelFlags(spec.labels, '--label-add'));
  for (const [k, v] of spec.env) args.push('--env-add', `${k}=${v}`);
  if (spec.healthCmd) args.push('--health-cmd', spec.healthCmd);
  args.push(...updateFlags(spec.policy));
  if (spec.withRegistryAuth) args.push('--with-registry-auth');
  args.push(spec.name);
  return cmd(target, args, { label: `docker service update ${spec.name}` });
}

export function serviceRollback(target: DockerTarget, name: string): Command {
  return cmd(target, ['service', 'rollback', '--detach', name]);
}

export function serviceInspect(target: DockerTarget, names: readonly string[]): Command {
  return cmd(target, ['service', 'inspect', ...names]);
}

/** The tasks of a service, one JSON object a line. */
export function serviceTasks(target: DockerTarget, name: string): Command {
  return cmd(target, ['service', 'ps', '--no-trunc', '--format', '{{json .}}', name]);
}

export function serviceLogs(target: DockerTarget, name: string, tail = 30): Command {
  return cmd(target, ['service', 'logs', '--no-task-ids', '--tail', String(tail), name]);
}

/** Whether a service of exactly this name exists (run on a manager; fails elsewhere). */
export function serviceExists(target: DockerTarget, name: string): Command {
  return cmd(target, ['service', 'inspect', '--format', '{{.Spec.Name}}', name]);
}

/**
 * A service's logs from every node, as `slipway logs` shows them: each line prefixed by docker with
 * its task (`name.slot@node | `); the last `tail` lines of each task (everything when following
 * without a tail), since a time or a duration ago.
 */
export function serviceLogsOf(
  target: DockerTarget,
  name: string,
  options: { tail?: number; follow?: boolean; since?: string } = {},
): Command {
  const args = ['service', 'logs', '--no-task-ids'];
  if (options.follow) args.push('--follow');
  if (options.tail !== undefined || !options.follow) args.push('--tail', String(options.tail ?? 50));
  if (options.since) args.push('--since', options.since);
  return cmd(target, [...args, name]);
}

/** Services of a stack, one name a line. */
export function stackServices(target: DockerTarget, stack: string): Command {
  return cmd(target, [
    'service',
    'ls',
    '--filter',
    `label=com.docker.stack.namespace=${stack}`,
    '--format',
    '{{.Name}}',
  ]);
}

export function stackDeploy(
  target: DockerTarget,
  stack: string,
  file: string,
  withRegistryAuth: boolean,
): Command {
  const args = ['stack', 'deploy', '--compose-file', file, '--prune', '--resolve-image', 'never'];
  if (withRegistryAuth) args.push('--with-registry-auth');
  args.push(stack);
  return cmd(target, args, { label: `docker stack deploy ${stack}` });
}

/** A Swarm config from stdin (the proxy's Caddyfile). */
export function configCreate(
  target: DockerTarget,
  name: string,
  content: string,
  labels: Readonly<Record<string, string>>,
): Command {
  return cmd(target, ['config', 'create', ...labelFlags(labels), name, '-'], { stdin: content });
}

export interface ProxyServiceSpec {
  readonly name: string;
  readonly image: string;
  readonly network: string;
  readonly publish: number;
  readonly targetPort: number;
  readonly config: string;
  readonly configPath: string;
  readonly command: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

/** The proxy: one task on every node, published in host mode (no ingress routing mesh needed). */
export function proxyServiceCreate(target: DockerTarget, spec: ProxyServiceSpec): Command {
  const args = ['service', 'create', '--detach', '--name', spec.name, '--mode', 'global'];
  args.push('--network', spec.network);
  args.push('--publish', `mode=host,target=${spec.targetPort},published=${spec.publish},protocol=tcp`);
  args.push('--config', `source=${spec.config},target=${spec.configPath}`);
  args.push(...labelFlags(spec.labels));
  args.push('--update-order', 'stop-first');
  args.push(spec.image, ...spec.command);
  return cmd(target, args, { label: `docker service create ${spec.name}` });
}

export function configInspect(target: DockerTarget, name: string): Command {
  return cmd(target, ['config', 'inspect', name]);
}

/** The configs a service mounts (JSON). */
export function serviceConfigs(target: DockerTarget, name: string): Command {
  return cmd(target, [
    'service',
    'inspect',
    '--format',
    '{{json .Spec.TaskTemplate.ContainerSpec.Configs}}',
    name,
  ]);
}

/** Replaces a service's configs with one (a rolling update of its tasks). */
export function serviceSwapConfig(
  target: DockerTarget,
  name: string,
  remove: readonly string[],
  add: { readonly source: string; readonly target: string },
): Command {
  const args = ['service', 'update', '--detach'];
  for (const config of remove) args.push('--config-rm', config);
  args.push('--config-add', `source=${add.source},target=${add.target}`, name);
  return cmd(target, args);
}
